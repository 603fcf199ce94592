/**
 * Alpaca Market Data v2 shapes (stocks) and the errors of the client.
 * Bars are minute aggregates keyed by their start time `t` (RFC 3339, UTC).
 */
import { IctError } from "@ict/core";

/** Which consolidated feed: IEX (free plan) or the SIP tapes (paid). */
export type Feed = "iex" | "sip";

/** A bar as the REST API returns it. */
export interface AlpacaBar {
  /** Start of the minute, RFC 3339. */
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  /** Number of trades. */
  n?: number;
  /** Volume-weighted average price. */
  vw?: number;
}

/** A bar message of the stream: `T` is `b` (minute bar) or `u` (a corrected minute bar, sent when late trades change it). */
export interface StreamBar extends AlpacaBar {
  T: "b" | "u";
  S: string;
}

/** `GET /v2/stocks/bars` answer: bars by symbol (sorted by symbol, then time, across pages). */
export interface BarsPage {
  bars: Record<string, AlpacaBar[] | null> | null;
  next_page_token?: string | null;
}

/** One day of `GET /v2/calendar` (trading API): times are New York local `HH:MM`. */
export interface CalendarDay {
  date: string;
  open: string;
  close: string;
  session_open?: string;
  session_close?: string;
  settlement_date?: string;
}

/** Stream control message codes that end the session for good: the credentials or the plan are wrong. */
export const FINAL_STREAM_CODES: ReadonlySet<number> = new Set([401, 402, 405, 409]);

/** A failure talking to Alpaca. `final`: retrying cannot help (bad keys, plan, request). */
export class AlpacaError extends IctError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly final: boolean,
  ) {
    super(message);
  }
}

/** Credentials refused (HTTP 401/403, stream 401/402): the loop stops. */
export class AlpacaAuthError extends AlpacaError {
  constructor(message: string, status: number) {
    super(message, status, true);
  }
}

/** Keys and base URLs of the client. The keys are never logged. */
export interface AlpacaConfig {
  keyId: string;
  secretKey: string;
  /** Market data REST base, default `https://data.alpaca.markets`. */
  dataUrl: string;
  /** Trading API base (calendar), default `https://paper-api.alpaca.markets`. */
  tradingUrl: string;
  /** Stream base without the feed, default `wss://stream.data.alpaca.markets/v2`. */
  streamUrl: string;
  feed: Feed;
}

/** Default base URLs. */
export const DEFAULT_URLS = {
  dataUrl: "https://data.alpaca.markets",
  tradingUrl: "https://paper-api.alpaca.markets",
  streamUrl: "wss://stream.data.alpaca.markets/v2",
} as const;
