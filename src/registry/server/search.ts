/**
 * Repository search in Docker Hub's v1 shape, so `docker search HOST:PORT/term` works: a term
 * matches a repository's name or its description; official and starred repositories first.
 */
import type { MetadataStore } from './meta/store.js';

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export interface SearchPage {
  num_results: number;
  num_pages: number;
  page: number;
  page_size: number;
  query: string;
  results: SearchResult[];
}

export async function searchRepositories(store: MetadataStore, names: string[], query: string, n: number, page: number): Promise<SearchPage> {
  const pageSize = Number.isInteger(n) && n > 0 ? Math.min(n, 100) : 25;
  const pageNo = Number.isInteger(page) && page > 0 ? page : 1;
  const term = query.trim().toLowerCase();
  const hits: SearchResult[] = [];
  for (const name of names) {
    const meta = await store.getMeta(name);
    const description = meta.description ?? '';
    if (term && !name.includes(term) && !description.toLowerCase().includes(term)) continue;
    hits.push({ name, description, star_count: meta.stars ?? 0, is_official: meta.official ?? false, is_automated: meta.automated ?? false });
  }
  hits.sort((a, b) => Number(b.is_official) - Number(a.is_official) || b.star_count - a.star_count || (a.name < b.name ? -1 : 1));
  const start = (pageNo - 1) * pageSize;
  return {
    num_results: hits.length,
    num_pages: Math.max(1, Math.ceil(hits.length / pageSize)),
    page: pageNo,
    page_size: pageSize,
    query,
    results: hits.slice(start, start + pageSize),
  };
}
