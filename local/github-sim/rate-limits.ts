// GitHub's two point budgets as the simulator keeps them: the primary budget per hour of the
// simulated clock, and the optional secondary limit of requests a minute on the wall clock.
import { HOUR_MS } from './world.js';

/** What the x-ratelimit-* headers and the rateLimit field report. */
export interface BudgetState {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch ms. */
  resetAt: number;
}

/** The primary budget: GitHub's window opens at the first request and lasts an hour. */
export class PrimaryBudget {
  private windowStart = Number.NaN;
  private used = 0;

  constructor(private readonly pointsPerHour: number) {}

  /** The budget at simulated time t, opening a new window when t is outside the current one. */
  at(t: number): BudgetState {
    if (Number.isNaN(this.windowStart) || t >= this.windowStart + HOUR_MS || t < this.windowStart) {
      this.windowStart = t;
      this.used = 0;
    }
    return {
      limit: this.pointsPerHour,
      used: this.used,
      remaining: Math.max(0, this.pointsPerHour - this.used),
      resetAt: this.windowStart + HOUR_MS,
    };
  }

  /** Charges the current window (the caller has just read it with at()). */
  spend(points: number): void {
    this.used += points;
  }
}

/** The secondary limit of accepted requests a minute, on the wall clock (0 = off). */
export class MinuteWindow {
  // Accepted request times, oldest first.
  private readonly recent: number[] = [];

  constructor(private readonly perMinute: number) {}

  /** Accepts a request at wall time `wall`, or returns the retry-after seconds when the minute is full. */
  admit(wall: number): number | undefined {
    while (this.recent.length > 0 && this.recent[0]! <= wall - 60_000) this.recent.shift();
    if (this.recent.length >= this.perMinute) {
      return Math.max(1, Math.ceil((this.recent[0]! + 60_000 - wall) / 1000));
    }
    this.recent.push(wall);
    return undefined;
  }
}
