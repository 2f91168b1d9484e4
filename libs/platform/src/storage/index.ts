export {
  ObjectStore,
  ObjectTooLargeError,
  ObjectNotFoundError,
  type ObjectStoreOptions,
  type ObjectInfo,
  type ByteRange,
  type StorageLogger,
} from './object-store.js';
export { StorageModule, type StorageModuleRegistration, type StorageModuleAsyncOptions } from './storage.module.js';
export { sniffMedia, IMAGE_TYPES, SNIFF_BYTES, type SniffedMedia } from './sniff.js';
export { startS3Server, type S3ServerOptions, type S3ServerHandle } from './s3-server.js';
export {
  adoptStagedUpload,
  isStagingKey,
  newStagingKey,
  UploadErrorCode,
  type AdoptedObject,
  type AdoptOptions,
} from './staged.js';
