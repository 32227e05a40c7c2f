import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
var jobKey=(id,name)=>`jobs/${id}/${name}`;export{jobKey};
