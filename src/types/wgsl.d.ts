// Ambient module declarations for non-TS imports.

/** WGSL shader sources imported as text: `import src from '../shaders/add.wgsl?raw'`. */
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}

/** wgsl_reflect must be imported through its ESM build under Node; it has the same API as the package root. */
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
