/**
 * mlship's version, as the server reports it (`GET /v2`). Kept here rather than read from
 * package.json: the serving bundle would otherwise carry the whole package.json, so a change to a
 * script or a dev dependency would change the image's app layer. A test keeps it equal to
 * package.json's `version`.
 */
export const MLSHIP_VERSION = '0.1.0';
