/**
 * Alpaca Market Data v2 shapes (stocks) and the errors of the client.
 * Bars are minute aggregates keyed by their start time `t` (RFC 3339, UTC).
 */
import { IctError } from "@ict/core";

/**
 * Which stream: IEX (free plan), the SIP tapes (paid), or Alpaca's test
 * stream (`/v2/test`, open at all hours, one symbol: {@link TEST_SYMBOL}),
 * for an off-hours smoke test of the connection and the keys.
 */
export type Feed = "iex" | "sip" | "test";

/** The only symbol of Alpaca's test stream. */
export const TEST_SYMBOL = "FAKEPACA";

/** The REST feed of a stream feed: the test stream has no REST counterpart, IEX is the one every plan may query. */
export function restFeed(feed: Feed): "iex" | "sip" {
  return feed === "sip" ? "sip" : "iex";
}

/** The stream URL of a feed: `{streamUrl}/{feed}` (e.g. `wss://stream.data.alpaca.markets/v2/test`). */
export function streamFeedUrl(streamUrl: string, feed: Feed): string {
  return `${streamUrl.replace(/\/$/, "")}/${feed}`;
}

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

/**
 * Stream error codes that end the session for good (Alpaca's stream
 * documentation): 402 auth failed, 405 symbol limit exceeded, 408 market data
 * v2 not enabled for the account, 409 insufficient subscription, 410 invalid
 * subscribe action for this feed, 411 insufficient scope. Reconnecting
 * cannot change any of them. Not in the set: 401 "not authenticated" (a
 * message arrived before authentication: authenticate and go on), 406
 * connection limit (an earlier socket still counts: wait), 404 auth timeout,
 * 400, 407 slow client and 500 (reconnect).
 */
export const FINAL_STREAM_CODES: ReadonlySet<number> = new Set([402, 405, 408, 409, 410, 411]);

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

/** Credentials refused (HTTP 401/403, stream 402): the loop stops. */
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
  /** Trading API base (calendar), default `https://paper-api.alpaca.markets` (paper keys). */
  tradingUrl: string;
  /**
   * A second trading host to try when `tradingUrl` refuses the keys (401/403):
   * set when the host was not chosen explicitly, since paper and live keys
   * each work on one host only. The calendar then comes from the host that
   * accepts them (logged).
   */
  tradingFallbackUrl?: string;
  /** Stream base without the feed, default `wss://stream.data.alpaca.markets/v2`. */
  streamUrl: string;
  feed: Feed;
}

/** Default base URLs. */
export const DEFAULT_URLS = {
  dataUrl: "https://data.alpaca.markets",
  tradingUrl: "https://paper-api.alpaca.markets",
  /** Trading API host of live (real-money) accounts. */
  liveTradingUrl: "https://api.alpaca.markets",
  streamUrl: "wss://stream.data.alpaca.markets/v2",
} as const;
