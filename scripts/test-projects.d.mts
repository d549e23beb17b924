export declare const PROJECTS: readonly string[];
export declare const LAST_GROUP: readonly string[];
