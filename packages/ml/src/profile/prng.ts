// mulberry32 is the split's generator: profiles (and their samples) are reproducible, and every
// seeded stream of the platform comes from one implementation.
export { mulberry32 } from '../split/split';

/** Algorithm R: a uniform sample of at most `size` items from a stream of unknown length. */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;

  constructor(
    private readonly size: number,
    private readonly random: () => number,
  ) {}

  add(item: T): void {
    this.seen += 1;
    if (this.items.length < this.size) {
      this.items.push(item);
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.size) this.items[j] = item;
  }
}
