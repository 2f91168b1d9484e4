/** Domain events published by the catalog service (subject `catalog.events.<type>`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CatalogEvents {}
