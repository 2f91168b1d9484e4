import { loadConfig, storageConfigShape, z } from '@octave/platform/config';
import { serviceConfigShape } from '@octave/platform/service';

/** Port of the service's own health and metrics endpoint, unless HEALTH_PORT says otherwise. */
export const CATALOG_HEALTH_PORT = 3103;

export const catalogConfigShape = {
  ...serviceConfigShape(CATALOG_HEALTH_PORT),
  ...storageConfigShape,
  /**
   * Largest song upload. The gateway enforces it while streaming; the service checks
   * again, so a staged object from anywhere else is held to the same limit.
   */
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(50 * 1024 * 1024),
};

export type CatalogConfig = z.infer<z.ZodObject<typeof catalogConfigShape>>;

export function loadCatalogConfig(env: Record<string, string | undefined> = process.env): CatalogConfig {
  return loadConfig(catalogConfigShape, env);
}

/** The PostgreSQL schema the service owns. */
export const CATALOG_SCHEMA = 'catalog';
