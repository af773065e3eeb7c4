import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, initBackend } from '@mlops/ml/backend';
import { EpochTracker } from '../src/train/epoch-loop';

beforeAll(async () => {
  await initBackend('cpu');
});

/**
 * tf.callbacks.earlyStopping stops but keeps the LAST epoch's weights (it has no
 * restore_best_weights); the tracker must put the best epoch's weights back. This drives the
 * real tracker on a real TF.js model whose weights are set to a known value each "epoch".
 */
describe('early stopping restores the best epoch', () => {
  it("ends with the weights of the epoch with the lowest validation loss, not the last one's", async () => {
    const tf = getTf();
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 1, inputShape: [2], useBias: false })],
    });
    const tracker = new EpochTracker(model, {
      epochs: 50,
      patience: 2,
      samples: 10,
      hasValidation: true,
    });
    const valLosses = [1.0, 0.4, 0.7, 0.9, 0.8];
    let stoppedAt = 0;
    for (let epoch = 0; epoch < valLosses.length; epoch += 1) {
      // "Training" this epoch leaves the weights at [epoch+1, epoch+1].
      model.setWeights([tf.fill([2, 1], epoch + 1)]);
      const stop = await tracker.endEpoch(epoch, {
        loss: 0.5,
        valLoss: valLosses[epoch]!,
        seconds: 1,
        samples: 10,
      });
      if (stop) {
        stoppedAt = epoch + 1;
        break;
      }
    }
    expect(stoppedAt).toBe(4); // best at 2, two epochs without improvement
    const result = tracker.finish();
    expect(result).toMatchObject({
      bestEpoch: 2,
      epochsRun: 4,
      stoppedEarly: true,
      restoredBest: true,
    });
    // Without the restore the model would hold epoch 4's weights (4, 4).
    expect(Array.from(model.getWeights()[0]!.dataSync())).toEqual([2, 2]);
    tracker.dispose();
    model.dispose();
  });
});
