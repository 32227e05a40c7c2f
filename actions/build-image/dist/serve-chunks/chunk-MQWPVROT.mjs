import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{EXIT,UsageError}from"./chunk-QEF67WGV.mjs";import{isFileSystemError}from"./chunk-BOLL22TY.mjs";import"./chunk-RV4RKV6X.mjs";export{EXIT,UsageError,isFileSystemError};
