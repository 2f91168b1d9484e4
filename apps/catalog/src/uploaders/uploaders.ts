import { UserDirectory } from '@octave/platform/events';
import { CATALOG_SCHEMA } from '../config.js';

/**
 * The users the catalog has heard of (`catalog.uploaders`): each uploader's current
 * username, shown as a song's `uploader.username`, or a tombstone once the account is
 * deleted. Kept from identity's events.
 */
export const uploaders = new UserDirectory({ schema: CATALOG_SCHEMA, table: 'uploaders', idColumn: 'user_id' });
