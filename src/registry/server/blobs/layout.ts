/**
 * Where blob bytes live under a store's root, shared by the directory and S3 stores so both
 * lay blobs out alike (`/blobs/<algo>/<2 hex>/<hex>/data`, uploads under `/uploads/<id>/`).
 */
import { parseDigest, type Digest } from '../../../core/digest.js';

export function blobDataPath(digest: Digest): string {
  const { algorithm, hex } = parseDigest(digest);
  return `/blobs/${algorithm}/${hex.slice(0, 2)}/${hex}/data`;
}

export const uploadDir = (id: string) => `/uploads/${id}`;
