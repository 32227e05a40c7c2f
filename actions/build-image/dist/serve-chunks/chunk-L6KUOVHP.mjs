import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{openJobs}from"./chunk-VPNDAR4A.mjs";import"./chunk-PF4K24XQ.mjs";import"./chunk-W2U52T6E.mjs";import"./chunk-D2WEZRU4.mjs";import"./chunk-BOLL22TY.mjs";import"./chunk-64TVMTE4.mjs";import"./chunk-RV4RKV6X.mjs";export{openJobs};
