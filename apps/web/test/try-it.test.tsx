import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Signature } from '@mlops/contracts';
import { PredictionView } from '../src/components/PredictionView';
import { AnswerShapeError, readAnswer, readAnswerOf } from '../src/lib/try-answer';
import { formRecord, imageMediaType, oversized, predictPath, tryKindOf } from '../src/lib/try-it';

const decoding = { channels: 3, height: 16, width: 16, resize: 'bilinear', scale: 1 } as const;
const imageSignature: Signature = {
  inputs: [],
  output: { task: 'classification', target: 'label', labels: ['benign', 'melanoma', 'nevus'] },
  tensors: {
    inputs: [{ kind: 'image', name: 'image', dtype: 'float32', shape: [-1, 16, 16, 3], decoding }],
    outputs: [{ name: 'scores', dtype: 'float32', shape: [-1, 3], role: 'probabilities' }],
  },
};
const tabular: Signature = {
  inputs: [
    { name: 'petal_length', type: 'numeric', nullable: false },
    { name: 'color', type: 'categorical', nullable: true, categories: ['blue', 'red'] },
    { name: 'wild', type: 'boolean', nullable: true },
  ],
  output: { task: 'classification', target: 'species', labels: ['setosa', 'virginica'] },
};
const model = { name: 'lesions', version: 3, alias: 'champion' };

describe('try it: requests', () => {
  it('reaches the followed alias or one version by number', () => {
    expect(predictPath('lesions', { kind: 'served' })).toBe('/v1/models/lesions:predict');
    expect(predictPath('lesions', { kind: 'version', version: 2 })).toBe(
      '/v1/models/lesions/versions/2:predict',
    );
  });

  it('tells JPEG and PNG by their first bytes and nothing else', () => {
    expect(imageMediaType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(
      imageMediaType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])),
    ).toBe('image/png');
    expect(imageMediaType(new TextEncoder().encode('GIF89a…'))).toBeNull();
    expect(imageMediaType(new Uint8Array([]))).toBeNull();
  });

  it('offers an image for one image input, a form for features, neither for other tensors', () => {
    expect(tryKindOf(imageSignature)).toMatchObject({ kind: 'image', input: { name: 'image' } });
    expect(tryKindOf(tabular)).toMatchObject({ kind: 'tabular', features: tabular.inputs });
    const twoInputs: Signature = {
      ...imageSignature,
      tensors: {
        inputs: [
          { kind: 'tensor', name: 'a', dtype: 'float32', shape: [-1, 4] },
          { kind: 'tensor', name: 'b', dtype: 'float32', shape: [-1, 8, 2] },
        ],
        outputs: imageSignature.tensors!.outputs,
      },
    };
    const kind = tryKindOf(twoInputs);
    expect(kind.kind).toBe('unsupported');
    expect(kind.kind === 'unsupported' && kind.why).toContain('a (tensor [-1, 4]), b (tensor');
  });

  it("refuses a body over serving's stated limit before sending it, by name", () => {
    expect(oversized({ name: 'x.png', size: 2_000_001 }, 2_000_000)).toBe(
      'x.png makes a request body of 2,000,001 bytes; serving reads at most 2,000,000 (SERVING_MAX_BODY_BYTES): send a smaller image',
    );
    expect(oversized({ name: 'x.png', size: 2_000_000 }, 2_000_000)).toBeNull();
    // An older serving states no limit: the file is sent and serving answers for itself.
    expect(oversized({ name: 'x.png', size: 9e9 }, undefined)).toBeNull();
  });

  it('turns the form into a record, empty fields missing, non-numbers left for serving', () => {
    expect(
      formRecord(tabular.inputs, { petal_length: ' 4.5 ', color: 'red', wild: 'false' }),
    ).toEqual({ petal_length: 4.5, color: 'red', wild: false });
    expect(formRecord(tabular.inputs, { petal_length: 'tall' })).toEqual({
      petal_length: 'tall',
      color: null,
      wild: null,
    });
  });
});

describe('try it: answers', () => {
  it('reads a tabular classification with its classes highest first', () => {
    const answer = readAnswer(
      {
        predictions: [{ label: 'virginica', probabilities: { setosa: 0.25, virginica: 0.75 } }],
        model: { ...model, name: 'iris' },
        predictionIds: ['p-1'],
      },
      tabular,
    );
    expect(answer).toEqual({
      model: 'iris',
      version: 3,
      alias: 'champion',
      predictionId: 'p-1',
      label: 'virginica',
      probabilities: [
        { label: 'virginica', value: 0.75 },
        { label: 'setosa', value: 0.25 },
      ],
      value: null,
    });
  });

  it('reads a tensor model raw output against the signature labels', () => {
    const answer = readAnswer(
      { predictions: [[0.1, 0.7, 0.2]], model, predictionIds: ['p-2'] },
      imageSignature,
    );
    expect(answer.label).toBe('melanoma');
    expect(answer.probabilities.map((p) => p.label)).toEqual(['melanoma', 'nevus', 'benign']);
  });

  it('picks the scored output by name when there are several, through a softmax for logits', () => {
    const several: Signature = {
      ...imageSignature,
      tensors: {
        inputs: imageSignature.tensors!.inputs,
        outputs: [
          { name: 'embedding', dtype: 'float32', shape: [-1, 2], role: 'embedding' },
          { name: 'logits', dtype: 'float32', shape: [-1, 3], role: 'logits' },
        ],
      },
    };
    const answer = readAnswer(
      {
        predictions: [{ embedding: [9, 9], logits: [0, Math.log(3), 0] }],
        model,
        predictionIds: [],
      },
      several,
    );
    expect(answer.label).toBe('melanoma');
    expect(answer.probabilities[0]!.value).toBeCloseTo(0.6);
    expect(answer.probabilities[1]!.value).toBeCloseTo(0.2);
    expect(answer.predictionId).toBeNull();
  });

  it('reads a tensor regression and refuses an answer of another shape', () => {
    const regression: Signature = {
      ...imageSignature,
      output: { task: 'regression', target: 'size' },
      tensors: {
        inputs: imageSignature.tensors!.inputs,
        outputs: [{ name: 'size', dtype: 'float32', shape: [-1, 1], role: 'value' }],
      },
    };
    expect(
      readAnswer({ predictions: [[2.5]], model, predictionIds: ['p'] }, regression),
    ).toMatchObject({ label: null, value: 2.5, probabilities: [] });
    expect(() =>
      readAnswer({ predictions: [['a', 'b']], model, predictionIds: [] }, imageSignature),
    ).toThrow(AnswerShapeError);
    expect(() => readAnswer({ error: 'x' }, imageSignature)).toThrow(/cannot read/);
  });

  it('reads an answer with the signature of the version that gave it', () => {
    const asked: Array<number | null> = [];
    const signatureOf = (v: number | null) => {
      asked.push(v);
      return v === 3 ? imageSignature : tabular;
    };
    const answer = readAnswerOf(
      { predictions: [[0.2, 0.1, 0.7]], model, predictionIds: [] },
      signatureOf,
    );
    expect(answer.label).toBe('nevus');
    expect(() => readAnswerOf({ predictions: [[1]] }, signatureOf)).toThrow(AnswerShapeError);
    expect(asked).toEqual([3, null]);
  });

  it('shows label, bars on a 0–100% scale, the version that answered and the latency', () => {
    const answer = readAnswer(
      { predictions: [[0.1, 0.7, 0.2]], model, predictionIds: ['p-9'] },
      imageSignature,
    );
    const html = renderToStaticMarkup(<PredictionView answer={answer} latencyMs={41.6} />);
    expect(html).toContain('data-testid="predicted-label">melanoma<');
    expect(html).toContain('aria-label="Probabilities"');
    expect(html).toContain('width:70%');
    expect(html).toContain('70.0%');
    expect(html).toContain('answered by lesions v3 (champion) in 42 ms');
    expect(html).toContain('p-9');
  });
});
