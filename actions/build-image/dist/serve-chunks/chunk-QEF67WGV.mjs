import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{MlshipError}from"./chunk-BOLL22TY.mjs";var EXIT={ok:0,failed:1,badInput:2,internal:3};var UsageError=class extends MlshipError{};export{EXIT,UsageError};
