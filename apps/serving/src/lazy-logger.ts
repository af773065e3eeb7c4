import type { FastifyBaseLogger } from 'fastify';

type LogArgs = Parameters<FastifyBaseLogger['info']>;
type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];

/** A logger that hands every call to `log`; methods live on the prototype. */
abstract class DelegatingLogger {
  /** The real logger behind this one (made on first use by a lazy child). */
  abstract get log(): FastifyBaseLogger;

  get level(): string {
    return this.log.level;
  }

  set level(level: string) {
    this.log.level = level;
  }

  fatal(...args: LogArgs): void {
    this.log.fatal(...args);
  }
  error(...args: LogArgs): void {
    this.log.error(...args);
  }
  warn(...args: LogArgs): void {
    this.log.warn(...args);
  }
  info(...args: LogArgs): void {
    this.log.info(...args);
  }
  debug(...args: LogArgs): void {
    this.log.debug(...args);
  }
  trace(...args: LogArgs): void {
    this.log.trace(...args);
  }
  silent(...args: LogArgs): void {
    this.log.silent(...args);
  }
  /** Lazy too: Fastify makes a route's logger a child of the root, and each request's a child
   * of that one — a real child per request would cost what the lazy one saves. */
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return new LazyChildLogger(this, bindings, options);
  }
}

/**
 * `request.log` that becomes a real child logger only when something logs through it.
 * Fastify makes a child per request (to bind `reqId`); with request logging off almost no
 * request ever logs, yet building the child (bindings serialised, redaction set up) was ≈ 2% of
 * a prediction's CPU in the serving profile. Nothing per request but this small object.
 */
class LazyChildLogger extends DelegatingLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: DelegatingLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {
    super();
  }

  get log(): FastifyBaseLogger {
    return (this.real ??= this.parent.log.child(this.bindings, this.options));
  }

  override get level(): string {
    return this.real?.level ?? this.options?.level ?? this.parent.level;
  }

  override set level(level: string) {
    this.log.level = level;
  }
}

/** The root logger as Fastify sees it: the real one, except that its children are lazy. */
class LazyChildrenLogger extends DelegatingLogger {
  constructor(readonly log: FastifyBaseLogger) {
    super();
  }
}

/**
 * Fastify's `loggerInstance`: `logger`, whose per-request children are made only when a request
 * logs. Given as the instance rather than as a `childLoggerFactory` because Fastify checks every
 * child a custom factory returns (seven method lookups and two arrays per request, ≈ 0.7% of a
 * prediction's CPU); children made by its default factory are trusted.
 */
export function withLazyRequestLoggers(logger: FastifyBaseLogger): FastifyBaseLogger {
  return new LazyChildrenLogger(logger);
}
