import type { ImageProfile } from '@mlops/contracts';
import { formatNumber } from '../lib/chart';
import { CategoryBars } from './CategoryBars';
import { Thumbnail } from './Thumbnail';

/** What a person looks at first in an image dataset: classes, sizes, colour, a few examples. */
export function ImageProfileView({ profile }: { profile: ImageProfile }) {
  const range = (s: ImageProfile['width']) =>
    s.min === s.max ? `${s.min}` : `${s.min}–${s.max} (median ${formatNumber(s.median)})`;
  return (
    <article className="image-profile" aria-label={`Images in ${profile.column}`}>
      <h3>{profile.column}</h3>
      <p className="muted">
        {profile.count} images ({profile.distinct} distinct)
        {profile.labelColumn ? `, classes from ${profile.labelColumn}` : ''}
      </p>
      <dl className="stats">
        <dt>width px</dt>
        <dd>{range(profile.width)}</dd>
        <dt>height px</dt>
        <dd>{range(profile.height)}</dd>
        {profile.channels.map((c) => [
          <dt key={`${c.channel}-dt`}>{c.channel} mean ± std</dt>,
          <dd key={`${c.channel}-dd`}>
            {formatNumber(c.mean)} ± {formatNumber(c.std)}
          </dd>,
        ])}
      </dl>
      {profile.classes.length > 0 ? (
        <CategoryBars
          title={`Images per class in ${profile.column}`}
          items={profile.classes.map((c) => ({ label: c.label, value: c.count }))}
        />
      ) : null}
      {profile.classes.map((c) => (
        <section key={c.label} aria-label={`Examples of ${c.label}`} className="thumbnails">
          <h4>
            {c.label} <span className="muted">({c.count})</span>
          </h4>
          {c.thumbnails.map((t, i) => (
            <Thumbnail key={t.sha256} image={t} alt={`${c.label} example ${i + 1}`} />
          ))}
        </section>
      ))}
    </article>
  );
}
