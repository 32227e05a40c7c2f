import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{openJobs}from"./chunk-JZF6YYHZ.mjs";import"./chunk-PF4K24XQ.mjs";import"./chunk-W2U52T6E.mjs";import"./chunk-DCPNDWOY.mjs";import"./chunk-BOLL22TY.mjs";import"./chunk-64TVMTE4.mjs";import"./chunk-RV4RKV6X.mjs";export{openJobs};
