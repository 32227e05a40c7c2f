import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{ArtifactError,DataError,MlshipError,SpecError,describeError,describePlaced,formatPlace,isFileSystemError,reportError}from"./chunk-BOLL22TY.mjs";import"./chunk-RV4RKV6X.mjs";export{ArtifactError,DataError,MlshipError,SpecError,describeError,describePlaced,formatPlace,isFileSystemError,reportError};
