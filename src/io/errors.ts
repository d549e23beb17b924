import { WgslNNError } from '../errors.js';

/** A file or byte buffer that is not what it claims to be (corrupt, truncated, hostile); names the source. */
export class DataFormatError extends WgslNNError {
  constructor(readonly source: string, readonly detail: string) {
    super(`${source}: ${detail}`);
  }
}
