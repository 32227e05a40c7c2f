/** The app layer: the serving bundle, one file that needs only `node` (no node_modules). */
import type { LayerFile } from '../oci/layer.ts';
import { BUNDLE_PATH } from './paths.ts';

export function appLayerFiles(bundle: Uint8Array): LayerFile[] {
  return [{ path: BUNDLE_PATH, bytes: bundle }];
}
