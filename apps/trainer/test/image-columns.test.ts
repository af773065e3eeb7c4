import { describe, expect, it } from 'vitest';
import { resolveColumns } from '../src/train/columns';
import { spec } from './data';

describe('an image dataset sent to the tabular trainer', () => {
  it('is refused by name instead of failing on its first row', () => {
    const schema = {
      columns: [
        { name: 'image', type: 'image' as const, nullable: false },
        { name: 'label', type: 'categorical' as const, nullable: false },
      ],
    };
    expect(() => resolveColumns(spec({ task: 'classification', target: 'label' }), schema)).toThrow(
      /image column\(s\) "image"/,
    );
  });
});
