import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
var embeddedUrl=port=>`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;export{embeddedUrl};
