import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{openJobs}from"./chunk-QYPUDNRV.mjs";import"./chunk-IL3TOJTZ.mjs";import"./chunk-PF4K24XQ.mjs";import"./chunk-YJMAFWWF.mjs";import"./chunk-NUWP7JB2.mjs";import"./chunk-BOLL22TY.mjs";import"./chunk-T5LV6PEL.mjs";import"./chunk-ASRFEDBY.mjs";import"./chunk-RV4RKV6X.mjs";export{openJobs};
