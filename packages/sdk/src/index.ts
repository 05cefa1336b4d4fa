/**
 * @clockme/sdk: the typed client of the ClockMe REST API, derived from its `HttpApi` contract.
 *
 * - {@link ClockMe}: a Promise client for plain scripts.
 * - {@link ClockMeClient}: the Effect client (an `Effect.Service`) for Effect programs.
 */
export {
  autoIdempotent,
  ClockMeClient,
  ClockMeConfig,
  type ClockMeOptions,
  currentIdempotencyKey,
  DEFAULT_URL,
  newIdempotencyKey,
  normalizeBaseUrl,
  type RetryOptions,
  withIdempotencyKey
} from "./Client.js"
export type { ApiClient } from "./Client.js"
export { ClockMe, type CallOptions, type ClockMeInit, type Input, type Json, type PromiseApi, type PromiseMethod } from "./ClockMe.js"
export { type ApiError, ClockMeError, type ErrorCode, type ServerError, toClockMeError } from "./Errors.js"
export type { ClockMeEvent, WebhookBody } from "./Event.js"
/** The contract itself, for `HttpApiClient.make` or OpenAPI tooling. */
export { Api } from "@clockme/domain/contract/api/Api"
