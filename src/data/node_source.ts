/**
 * The ONLY Node-specific module of src/data: a DataSource over a directory on disk (tests, CLI
 * scripts). Browser bundles must not import it; everything else uses the DataSource interface.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { DataError } from './errors.ts';
import { normalizePath, type DataSource } from './sources.ts';

export class NodeDirSource implements DataSource {
  readonly name: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.name = this.root;
  }

  private resolve(p: string): string {
    return path.join(this.root, ...normalizePath(p).split('/'));
  }

  async readText(p: string): Promise<string> {
    try {
      return await readFile(this.resolve(p), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DataError(`${p}: cannot read under ${this.root} (${code ?? (e as Error).message})`, p);
    }
  }

  async has(p: string): Promise<boolean> {
    try {
      return (await stat(this.resolve(p))).isFile();
    } catch {
      return false;
    }
  }
}
