import type { Prediction, ShadowRecord } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { RowBlock } from '../models/row-block';
import type { ServingMetrics } from '../metrics';
import type { ModelSet } from '../models/model-set';
import type { LoadedModel } from '../models/slot';
import type { ModelRoute } from '../routing/routes-config';

/** Recent comparisons kept per model for `GET /v1/shadow/<model>`. */
const KEEP = 200;

function agrees(a: Prediction | undefined, b: Prediction | undefined): boolean {
  if (!a || !b) return false;
  if ('label' in a && 'label' in b) return a.label === b.label;
  if ('value' in a && 'value' in b)
    return Math.abs(a.value - b.value) <= 1e-6 * Math.max(1, Math.abs(a.value));
  return false;
}

/**
 * Shadow traffic: the same rows run on another version after the response is decided. It never
 * delays or fails a response: a shadow version that is not loaded yet is loaded in the
 * background and requests meanwhile are not mirrored.
 */
export class ShadowRecorder {
  private readonly recent = new Map<string, ShadowRecord[]>();

  constructor(
    private readonly models: ModelSet,
    private readonly metrics: ServingMetrics,
    private readonly logger: Logger,
  ) {}

  mirror(
    route: ModelRoute,
    model: string,
    primaryVersion: number,
    /** The request's rows (encoded with the shadow version's own preprocessing). */
    rows: RowBlock,
    predictions: Prediction[],
  ): void {
    const shadow = route.shadow;
    if (!shadow) return;
    let version: number | undefined;
    if ('version' in shadow) version = shadow.version;
    else {
      version = this.models.cache.cachedAlias(model, shadow.alias);
      if (version === undefined) {
        this.models.cache.resolveAlias(model, shadow.alias).catch((err: unknown) => {
          this.logger.warn(
            { model, alias: shadow.alias, err: String(err) },
            'shadow alias does not resolve',
          );
        });
        return;
      }
    }
    if (version === primaryVersion) return;
    const slot = this.models.get(model);
    let loaded: LoadedModel | null = null;
    if (slot?.loaded?.version === version) loaded = slot.acquire();
    loaded ??= this.models.cache.peek(model, version);
    if (!loaded) return;
    const target = loaded;
    target.batcher
      .submit([rows])
      .then(([out = []]) => this.record(model, primaryVersion, predictions, target.version, out))
      .catch(() => undefined) // a busy or failing shadow is simply not compared
      .finally(() => target.release());
  }

  list(model: string): ShadowRecord[] {
    return this.recent.get(model) ?? [];
  }

  private record(
    model: string,
    pv: number,
    primary: Prediction[],
    sv: number,
    shadow: Prediction[],
  ): void {
    let agreeing = 0;
    for (let i = 0; i < primary.length; i++) if (agrees(primary[i], shadow[i])) agreeing++;
    const labels = { model, primary_version: String(pv), shadow_version: String(sv) };
    if (agreeing > 0) this.metrics.shadowComparisons.inc({ ...labels, agree: 'true' }, agreeing);
    if (agreeing < primary.length) {
      this.metrics.shadowComparisons.inc({ ...labels, agree: 'false' }, primary.length - agreeing);
    }
    let list = this.recent.get(model);
    if (!list) this.recent.set(model, (list = []));
    list.push({
      model,
      at: new Date().toISOString(),
      primary: { version: pv, predictions: primary },
      shadow: { version: sv, predictions: shadow },
      agreeing,
      rows: primary.length,
    });
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
  }
}
