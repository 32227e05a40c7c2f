/**
 * The app layer: the serving bundle, its entry at BUNDLE_PATH and its chunks beside it under the
 * names the entry imports them by (`/app/serve-chunks/…`); it needs only `node` (no node_modules).
 */
import type { LayerFile } from '../oci/layer.ts';
import { sortedFiles } from '../serving-bundle-files.ts';
import type { BundleFiles } from '../serving-bundle-files.ts';
import { APP_DIR, BUNDLE_PATH } from './paths.ts';

export function appLayerFiles(bundle: BundleFiles): LayerFile[] {
  return sortedFiles(bundle.files.map((f) => ({ path: f.path === bundle.entry ? BUNDLE_PATH : `${APP_DIR}/${f.path}`, bytes: f.bytes })));
}
