/*
 * C baselines of @ict/bench: the same loops as src/baselines.ts (ATR simple
 * mean with a running sum, ATR Wilder, swings k = 2 with the ICT tie rule, FVG
 * detection), compiled by the benchmark with `cc -O3` and run on the same bars
 * (h, l, c as little-endian float64 files written by the benchmark). This is
 * the "what a C loop does on this machine" reference the targets are quoted
 * against.
 *
 * usage: loops H.f64 L.f64 C.f64 N BUDGET_MS
 * prints one JSON line: per kernel the median ns/bar, sample count, and
 * checksums the benchmark compares with its TypeScript outputs.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double *load(const char *path, long n) {
  double *a = malloc(sizeof(double) * (n + 4));
  FILE *f = fopen(path, "rb");
  if (!f || fread(a, sizeof(double), n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
  fclose(f);
  return a;
}

#define P 14

static void atr_sma(const double *h, const double *l, const double *c, long n, double *out) {
  double ring[P];
  double tr = h[0] - l[0], sum = tr, prevC = c[0];
  ring[0] = tr;
  out[0] = sum;
  long head = n < P ? n : P;
  for (long i = 1; i < head; i++) {
    double hv = h[i], lv = l[i];
    tr = fmax(hv - lv, fmax(fabs(hv - prevC), fabs(lv - prevC)));
    prevC = c[i];
    ring[i] = tr;
    sum += tr;
    out[i] = sum / (i + 1);
  }
  int slot = 0;
  for (long i = head; i < n; i++) {
    double hv = h[i], lv = l[i];
    tr = fmax(hv - lv, fmax(fabs(hv - prevC), fabs(lv - prevC)));
    prevC = c[i];
    sum += tr - ring[slot];
    ring[slot] = tr;
    if (++slot == P) slot = 0;
    out[i] = sum / P;
  }
}

static void atr_wilder(const double *h, const double *l, const double *c, long n, double *out) {
  double sum = 0, prevC = 0;
  long head = n < P ? n : P;
  for (long i = 0; i < head; i++) {
    double hv = h[i], lv = l[i];
    double tr = i == 0 ? hv - lv : fmax(hv - lv, fmax(fabs(hv - prevC), fabs(lv - prevC)));
    prevC = c[i];
    sum += tr;
    out[i] = sum / (i + 1);
  }
  double prev = out[head - 1];
  for (long i = head; i < n; i++) {
    double hv = h[i], lv = l[i];
    double tr = fmax(hv - lv, fmax(fabs(hv - prevC), fabs(lv - prevC)));
    prevC = c[i];
    prev = (prev * (P - 1) + tr) / P;
    out[i] = prev;
  }
}

static long nh_, nl_;
static void swings(const double *h, const double *l, long n, unsigned char *flags, int *hi, int *lo) {
  long nh = 0, nl = 0;
  for (long i = 0; i < n; i++) flags[i] = 0;
  for (long i = 2; i <= n - 3; i++) {
    double hv = h[i], lv = l[i];
    int isH = (hv >= h[i - 1]) & (hv >= h[i - 2]) & (hv > h[i + 1]) & (hv > h[i + 2]);
    int isL = (lv <= l[i - 1]) & (lv <= l[i - 2]) & (lv < l[i + 1]) & (lv < l[i + 2]);
    hi[nh] = (int)i;
    nh += isH;
    lo[nl] = (int)i;
    nl += isL;
    flags[i] = (unsigned char)(isH | (isL << 1));
  }
  nh_ = nh;
  nl_ = nl;
}

static long fvg(const double *h, const double *l, long n, double tol, int *mid, int *dir, double *lo, double *hi) {
  long g = 0;
  for (long i = 1; i <= n - 2; i++) {
    double hp = h[i - 1], ln = l[i + 1];
    if (hp + tol < ln) { mid[g] = (int)i; dir[g] = 1; lo[g] = hp; hi[g] = ln; g++; continue; }
    double lp = l[i - 1], hn = h[i + 1];
    if (lp - tol > hn) { mid[g] = (int)i; dir[g] = -1; lo[g] = hn; hi[g] = lp; g++; }
  }
  return g;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Relative margin of error of the mean (95%, Student t), percent, as benchmark.js computes it. */
static double rme(const double *x, int n) {
  static const double t[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
                             2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (n < 2) return 0;
  double mean = 0, v = 0;
  for (int i = 0; i < n; i++) mean += x[i];
  mean /= n;
  for (int i = 0; i < n; i++) v += (x[i] - mean) * (x[i] - mean);
  v /= n - 1;
  return sqrt(v / n) * (n - 2 < 30 ? t[n - 2] : 1.96) / mean * 100;
}

#define MAXS 4096
static double samples[MAXS];

/* Times `body` (one call over all bars): 2 warm-up calls, then samples of `reps`
   calls (each sample >= 2 ms) for BUDGET_MS and at least 5 samples; median. */
#define TIME(name, body)                                                                   \
  do {                                                                                     \
    body; body;                                                                            \
    double t0 = now_s(); body; double one = now_s() - t0;                                  \
    long reps = one > 0.002 ? 1 : (long)(0.002 / (one > 1e-9 ? one : 1e-9)) + 1;           \
    int ns = 0; double start = now_s();                                                    \
    while (ns < MAXS && (ns < 5 || now_s() - start < budget)) {                            \
      double s = now_s();                                                                  \
      for (long r = 0; r < reps; r++) { body; }                                            \
      samples[ns++] = (now_s() - s) / reps;                                                \
    }                                                                                      \
    qsort(samples, ns, sizeof(double), cmp);                                               \
    double med = ns % 2 ? samples[ns / 2] : (samples[ns / 2 - 1] + samples[ns / 2]) / 2;   \
    printf("%s\"%s\":{\"nsPerBar\":%.6f,\"samples\":%d,\"rme\":%.4f}", first ? "" : ",", name, med / n * 1e9, ns, rme(samples, ns)); \
    first = 0;                                                                             \
  } while (0)

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: loops H L C N BUDGET_MS\n"); return 2; }
  long n = atol(argv[4]);
  double budget = atof(argv[5]) / 1000.0;
  double *h = load(argv[1], n), *l = load(argv[2], n), *c = load(argv[3], n);
  double *out = malloc(sizeof(double) * n);
  double *outW = malloc(sizeof(double) * n);
  unsigned char *flags = malloc(n + 1);
  int *hi = malloc(sizeof(int) * n), *lo = malloc(sizeof(int) * n);
  int *mid = malloc(sizeof(int) * n), *dir = malloc(sizeof(int) * n);
  double *glo = malloc(sizeof(double) * n), *ghi = malloc(sizeof(double) * n);
  long g = 0;
  int first = 1;
  printf("{\"timings\":{");
  TIME("atr", atr_sma(h, l, c, n, out));
  TIME("atrWilder", atr_wilder(h, l, c, n, outW));
  TIME("swings", swings(h, l, n, flags, hi, lo));
  TIME("fvg", g = fvg(h, l, n, 1e-6, mid, dir, glo, ghi));
  double sum = 0, sumW = 0;
  for (long i = 0; i < n; i++) { sum += out[i]; sumW += outW[i]; }
  printf("},\"atrSum\":%.17g,\"atrLast\":%.17g,\"atrWilderLast\":%.17g,\"swingHighs\":%ld,\"swingLows\":%ld,\"fvgs\":%ld}\n",
         sum, out[n - 1], outW[n - 1], nh_, nl_, g);
  return 0;
}
