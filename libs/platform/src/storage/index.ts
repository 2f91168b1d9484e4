export {
  ObjectStore,
  ObjectTooLargeError,
  ObjectNotFoundError,
  type ObjectStoreOptions,
  type PutStreamOptions,
  type ObjectInfo,
  type ByteRange,
  type StorageLogger,
} from './object-store.js';
export { StorageModule, type StorageModuleRegistration, type StorageModuleAsyncOptions } from './storage.module.js';
export { sniffMedia, sniffType, IMAGE_TYPES, SNIFF_BYTES, type SniffedMedia } from './sniff.js';
export { startS3Server, type S3ServerOptions, type S3ServerHandle } from './s3-server.js';
export {
  adoptStagedUpload,
  discardStagedUpload,
  isStaged,
  isStagingKey,
  newStagingKey,
  stageUpload,
  STAGED_TAG,
  UploadErrorCode,
  type AdoptOptions,
  type StagedObject,
} from './staged.js';
export { ObjectTokenizer } from './object-tokenizer.js';
