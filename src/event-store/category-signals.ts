import { CommitSignal } from './commit-signal';

/**
 * A commit signal per category, and one for `$all`: a commit wakes the subscribers of the
 * categories it wrote to and those of `$all`, not every subscriber of the store, which would each
 * read a page only to find nothing new.
 */
export class CategorySignals {
  readonly all = new CommitSignal();
  private readonly byCategory = new Map<string, CommitSignal>();

  of(category: string): CommitSignal {
    let signal = this.byCategory.get(category);
    if (signal === undefined) {
      signal = new CommitSignal();
      this.byCategory.set(category, signal);
    }
    return signal;
  }

  notify(categories: Iterable<string>): void {
    let any = false;
    for (const category of categories) {
      any = true;
      this.byCategory.get(category)?.notify();
    }
    if (any) this.all.notify();
  }
}
