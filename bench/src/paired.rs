//! Interleaved, paired timing of the two sides, for the ratios.
//!
//! criterion measures one function after the other. On a machine shared with other work the
//! load can change between the two, and the ratio of two figures taken a minute apart then
//! says more about the load than about the code. Here the sides take turns in short blocks
//! (A B, then B A, and so on), each round yields one ratio, and the median of those ratios is
//! reported: a drift in load hits both sides of a round alike.

use std::fmt;
use std::time::{Duration, Instant};

/// The outcome of [`compare`].
#[derive(Clone, Debug)]
pub struct Paired {
    /// What was compared, as printed.
    pub name: String,
    /// Median time of one run of the first side.
    pub a: Duration,
    /// Median time of one run of the second side.
    pub b: Duration,
    /// Median over the rounds of (time of A) / (time of B).
    pub ratio: f64,
    /// The first and third quartiles of the per-round ratios.
    pub spread: (f64, f64),
    /// How many rounds were run.
    pub rounds: usize,
}

impl fmt::Display for Paired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "paired/{}: facade {:?}, baseline {:?}, ratio {:.3} (quartiles {:.3}..{:.3}, \
             {} rounds)",
            self.name, self.a, self.b, self.ratio, self.spread.0, self.spread.1, self.rounds
        )
    }
}

fn median(sorted: &[f64]) -> f64 {
    quantile(sorted, 0.5)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = q * (sorted.len() - 1) as f64;
    let (low, high) = (at.floor() as usize, at.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (at - low as f64)
}

async fn time_block<F, Fut>(runs: usize, side: &mut F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future,
{
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(side().await);
    }
    started.elapsed() / runs as u32
}

/// Runs `a` and `b` in turns: `rounds` rounds of `runs` runs of each, after one warm-up round.
/// `a` is the facade and `b` the baseline, in what is printed.
pub async fn compare<FA, FutA, FB, FutB>(
    name: &str,
    rounds: usize,
    runs: usize,
    mut a: FA,
    mut b: FB,
) -> Paired
where
    FA: FnMut() -> FutA,
    FutA: Future,
    FB: FnMut() -> FutB,
    FutB: Future,
{
    time_block(runs, &mut a).await;
    time_block(runs, &mut b).await;

    let (mut times_a, mut times_b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (ta, tb) = if round % 2 == 0 {
            let ta = time_block(runs, &mut a).await;
            (ta, time_block(runs, &mut b).await)
        } else {
            let tb = time_block(runs, &mut b).await;
            (time_block(runs, &mut a).await, tb)
        };
        times_a.push(ta.as_secs_f64());
        times_b.push(tb.as_secs_f64());
        ratios.push(ta.as_secs_f64() / tb.as_secs_f64());
    }
    for values in [&mut times_a, &mut times_b, &mut ratios] {
        values.sort_by(f64::total_cmp);
    }
    Paired {
        name: name.to_owned(),
        a: Duration::from_secs_f64(median(&times_a)),
        b: Duration::from_secs_f64(median(&times_b)),
        ratio: median(&ratios),
        spread: (quantile(&ratios, 0.25), quantile(&ratios, 0.75)),
        rounds,
    }
}

/// Whether this bench binary runs for measurements: `cargo bench` passes `--bench`, while
/// `cargo test --benches` (criterion's quick test mode) and `--list` ask for no figures.
pub fn measuring() -> bool {
    let mut bench = false;
    for arg in std::env::args() {
        match arg.as_str() {
            "--bench" => bench = true,
            "--list" | "--test" => return false,
            _ => {}
        }
    }
    bench
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(median(&[1.0, 2.0, 3.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), 2.5);
        assert_eq!(quantile(&[0.0, 4.0], 0.25), 1.0);
    }
}
