import { CatalogErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';
import { UploadErrorCode } from '@octave/platform/storage';

export const songNotFound = (id: number) => DomainError.notFound(CatalogErrorCode.SongNotFound, `song ${id} not found`);

export const notSongOwner = (id: number) =>
  DomainError.forbidden(CatalogErrorCode.NotSongOwner, `only the uploader may change or delete song ${id}`);

export const UNSUPPORTED_AUDIO_MESSAGE = 'the file must be audio: MP3, Ogg (Vorbis or Opus), FLAC, WAV, M4A or AAC';

export const unsupportedAudio = () =>
  DomainError.unsupportedMediaType(UploadErrorCode.UnsupportedMediaType, UNSUPPORTED_AUDIO_MESSAGE);

export const accountDeleted = () =>
  DomainError.unauthorized(CatalogErrorCode.AccountDeleted, 'this account has been deleted');
