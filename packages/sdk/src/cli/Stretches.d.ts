/**
 * What a hook keeps while the server is unreachable: per tool, session and project, each stretch of
 * activity without a gap longer than `gapMs`, as its first and last activity, how many events it holds,
 * and when the session ended. However long the outage, the queue grows by one stretch per pause, never
 * per event, and nothing is dropped. Pure: no I/O, no clock (callers pass `now`), no Effect.
 */
/** One hook event, with the time it happened (ISO 8601). */
export interface HookActivity {
    readonly id: string;
    readonly event: "session-start" | "prompt" | "stop" | "session-end";
    readonly tool: string;
    readonly at: string;
    readonly projectName: string;
    readonly sessionId?: string | undefined;
    readonly autoCreate?: boolean | undefined;
    readonly fallbackProjectId?: string | undefined;
    readonly description?: string | undefined;
}
export interface Stretch {
    /** The first event's id: the idempotency key of the stretch's stop. */
    readonly id: string;
    readonly tool: string;
    readonly projectName: string;
    readonly sessionId?: string | undefined;
    readonly autoCreate?: boolean | undefined;
    readonly fallbackProjectId?: string | undefined;
    readonly description?: string | undefined;
    /** First and last activity (epoch ms); undefined when the stretch is only a session end. */
    readonly first?: number | undefined;
    readonly last?: number | undefined;
    /** Activity events coalesced into first..last. */
    readonly events: number;
    /** When the session ended (epoch ms): the stretch is closed. */
    readonly endedAt?: number | undefined;
}
export interface Stretches {
    readonly stretches: ReadonlyArray<Stretch>;
}
export declare const empty: Stretches;
/**
 * Gaps longer than this split stretches. It is the smallest idle timeout a workspace can have, so the server,
 * which knows the workspace's own timeout, decides whether a gap between two stretches was idle time.
 */
export declare const DEFAULT_GAP_MS: number;
/** The server refuses events older than this; a flushed stretch is clipped to it. */
export declare const MAX_AGE_MS: number;
/** Adds one event: it joins its session's latest open stretch when within `gapMs` of it, else opens a new one. */
export declare const add: (queue: Stretches, event: HookActivity, gapMs?: number) => Stretches;
export declare const addAll: (queue: Stretches, events: ReadonlyArray<HookActivity>, gapMs?: number) => Stretches;
/** Hook events the stretches stand for. */
export declare const eventCount: (queue: Stretches) => number;
export declare const remove: (queue: Stretches, ids: ReadonlySet<string>) => Stretches;
/** One compact JSON document. */
export declare const serialize: (queue: Stretches) => string;
/**
 * Reads what `serialize` wrote. Also reads the older queue (one event per JSON line) and coalesces it, so an
 * upgrade keeps what was queued. Anything unreadable is skipped.
 */
export declare const deserialize: (text: string, gapMs?: number) => Stretches;
export interface HeartbeatRequest {
    readonly kind: "heartbeat";
    readonly stretch: string;
    readonly fallbackProjectId?: string | undefined;
    readonly body: {
        readonly projectName: string;
        readonly source: "hook";
        readonly sessionId?: string;
        readonly autoStart: true;
        readonly autoCreate: boolean;
        readonly description?: string;
        readonly since: string;
        readonly at: string;
        readonly count: number;
    };
}
export interface StopRequest {
    readonly kind: "stop";
    readonly stretch: string;
    readonly idempotencyKey: string;
    readonly body: {
        readonly projectName: string;
        readonly sessionId?: string;
        readonly reason?: "session_end";
        readonly at: string;
    };
}
export type FlushRequest = HeartbeatRequest | StopRequest;
/**
 * The requests that replay the queue, in order: per stretch one heartbeat from its first to its last
 * activity (autoStart, so the server starts the timer at the first one or continues the entry its watchdog
 * stopped meanwhile), then a stop at the session's end when it ended. Times older than the server accepts
 * are clipped to its bound (a minute inside it); stretches entirely older are left out.
 */
export declare const plan: (queue: Stretches, now: number) => ReadonlyArray<FlushRequest>;
//# sourceMappingURL=Stretches.d.ts.map