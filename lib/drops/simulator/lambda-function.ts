/** How one Lambda function may scale. */
export interface LambdaScaling {
  /** Most environments busy at once: the account's (or the function's reserved) concurrency. */
  readonly concurrencyLimit: number;
  /** New environments allowed in the first scaling interval. */
  readonly initialBurst: number;
  /** New environments allowed in each later interval; unused allowance does not carry over. */
  readonly scaleStep: number;
  readonly scaleIntervalMs: number;
  /** Environments initialised before the run (provisioned concurrency): warm, outside the scaling rule. */
  readonly provisioned: number;
}

/** An execution environment handed to an invocation. */
export interface Lease<E> {
  readonly env: E;
  /** The environment was created for this invocation and pays the init duration first. */
  readonly cold: boolean;
}

/**
 * The execution environments of one function under the on-demand scaling rule: an idle environment is
 * reused; otherwise a new one is created if both the concurrency limit and the current interval's
 * scale-out allowance permit; otherwise the invocation is throttled (429).
 */
export class LambdaFunction<E> {
  private readonly idle: E[] = [];
  private busy = 0;
  private environments = 0;
  private window = 0;
  private createdInWindow = 0;
  /** Environments created on demand (each a cold start). */
  coldStarts = 0;
  /** Invocations refused for concurrency or scale-out. */
  throttled = 0;
  peakConcurrency = 0;

  constructor(
    private readonly scaling: LambdaScaling,
    private readonly create: (id: number) => E,
  ) {
    for (let i = 0; i < Math.min(scaling.provisioned, scaling.concurrencyLimit); i++) {
      this.idle.push(create(this.environments++));
    }
  }

  get environmentCount(): number {
    return this.environments;
  }

  acquire(nowMs: number): Lease<E> | undefined {
    const warm = this.idle.pop();
    if (warm !== undefined) return this.lease(warm, false);
    if (this.busy >= this.scaling.concurrencyLimit) {
      this.throttled++;
      return undefined;
    }
    const window = Math.floor(nowMs / this.scaling.scaleIntervalMs);
    if (window !== this.window) {
      this.window = window;
      this.createdInWindow = 0;
    }
    const allowance = window === 0 ? this.scaling.initialBurst : this.scaling.scaleStep;
    if (this.createdInWindow >= allowance) {
      this.throttled++;
      return undefined;
    }
    this.createdInWindow++;
    this.coldStarts++;
    return this.lease(this.create(this.environments++), true);
  }

  release(env: E): void {
    this.busy--;
    this.idle.push(env);
  }

  private lease(env: E, cold: boolean): Lease<E> {
    this.busy++;
    if (this.busy > this.peakConcurrency) this.peakConcurrency = this.busy;
    return { env, cold };
  }
}
