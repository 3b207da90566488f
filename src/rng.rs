//! Keyed random streams.
//!
//! Every random draw of the simulation comes from a small generator created where it is
//! used, seeded from `(seed, purpose, entity, day)`. Nothing depends on which thread runs a
//! consumer or in which order chunks finish, and two policy variants run with the same
//! seed see the same draws wherever their states agree (common random numbers).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream: xoshiro256++, whose output is fixed by its
/// published definition (unlike `StdRng`/`SmallRng`, which may change between versions).
pub type StreamRng = Xoshiro256PlusPlus;

/// What a stream is for. Separate purposes never share draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Building the world: consumer attributes.
    WorldConsumer = 1,
    /// Building the world: creator and host attributes.
    WorldCreator = 2,
    /// Building the world: merchants and products.
    WorldMerchant = 3,
    /// Building the social graph.
    Graph = 4,
    /// Whether a consumer is active today.
    Activity = 10,
    /// Candidate generation and ranking noise for a consumer's feed.
    Feed = 11,
    /// Engagement and follow draws for a consumer's impressions.
    Engage = 12,
    /// Purchase draws.
    Purchase = 13,
    /// Return, review and satisfaction draws for a delivered order.
    Fulfil = 14,
    /// Creator posting, live sessions.
    Supply = 15,
    /// Creator entries.
    CreatorEntry = 16,
    /// The order in which today's orders reach the platform (who gets scarce stock).
    Arrival = 17,
    /// Experimental designs (Latin hypercube permutations and jitter).
    Design = 18,
    /// Who brushes orders (world building) and the fake orders of a day.
    Brushing = 19,
    /// Whether a consumer holds a coupon today.
    Coupon = 20,
    /// Scandals: random ones of a day, and who unfollows.
    Scandal = 21,
    /// Group buying: which products, whom an opener invites, whether an invitation is taken.
    GroupBuy = 22,
    /// Ads shown to a consumer, and premium membership (world building).
    Ads = 23,
    /// Purchases of products friends shared.
    Share = 24,
    /// Merchant entries (how many on a day, and each entrant's attributes and products).
    MerchantEntry = 25,
    /// An account's new affiliate in place of one that exited.
    Affiliate = 26,
    /// Whether a consumer is on the platform at the start (world building).
    Join = 27,
    /// A consumer's, a merchant's or a warehouse's market (keyed by entity).
    Market = 28,
    /// A consumer's purchase intent of the day.
    Intent = 29,
    /// A consumer's search of the day.
    Search = 30,
    /// A cross-border order's payment.
    Payment = 31,
    /// Group chats: each chat's merchant and levels, each consumer's meal time (world
    /// building); a consumer's recruitment and reading; a chat's post of the day.
    Chat = 32,
    /// A chat reader's purchase decisions of the day.
    ChatOrder = 33,
    /// A delivered chat order's service, hygiene, arrival time and feedback.
    ChatDelivery = 34,
    /// Forums: vendors' posts, a reader's visit, a buyer's post.
    Forum = 35,
    /// The order among a feed's equal ranking scores.
    TieBreak = 36,
}

/// SplitMix64's finaliser: a bijective mix with good avalanche.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A bijective mix of 32 bits (Wellons' "lowbias32"): distinct inputs give distinct
/// outputs, so `mix32(id ^ salt)` orders distinct ids in an order that changes with `salt`.
#[inline]
pub fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// The key of one stream: a hash of `(seed, purpose, entity, day)`.
#[inline]
pub fn key(seed: u64, purpose: Purpose, entity: u64, day: u64) -> u64 {
    let mut h = mix64(seed ^ 0x9e37_79b9_7f4a_7c15);
    h = mix64(h ^ (purpose as u64).wrapping_mul(0xd1b5_4a32_d192_ed03));
    h = mix64(h ^ entity.wrapping_mul(0xaef1_7502_108e_f2d9));
    mix64(h ^ day.wrapping_mul(0x8cb9_2ba7_2f3d_8dd7))
}

/// A fresh generator for one `(seed, purpose, entity, day)`.
#[inline]
pub fn stream(seed: u64, purpose: Purpose, entity: u64, day: u64) -> StreamRng {
    StreamRng::seed_from_u64(key(seed, purpose, entity, day))
}

/// The seed of replicate `r` of a scenario whose master seed is `seed`. Replicate 0 keeps
/// the master seed; the others are below 2^63, so that every seed can be written back into
/// a scenario (TOML integers are signed 64-bit) and given to `--seed`.
pub fn replicate_seed(seed: u64, replicate: u64) -> u64 {
    if replicate == 0 {
        seed
    } else {
        mix64(seed ^ mix64(replicate.wrapping_add(0x632b_e59b_d9b4_e019))) >> 1
    }
}

/// A uniform draw in [0, 1) with 24 bits of precision, from one `u32`.
#[inline]
pub fn unit_f32<R: rand::Rng + ?Sized>(rng: &mut R) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// A uniform integer in 0..n (n > 0), by Lemire's multiply-shift (bias below 2^-32 · n).
#[inline]
pub fn below<R: rand::Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((rng.next_u32() as u64 * n as u64) >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_keyed() {
        let a = stream(1, Purpose::Engage, 7, 3).next_u64();
        assert_eq!(a, stream(1, Purpose::Engage, 7, 3).next_u64());
        assert_ne!(a, stream(2, Purpose::Engage, 7, 3).next_u64());
        assert_ne!(a, stream(1, Purpose::Purchase, 7, 3).next_u64());
        assert_ne!(a, stream(1, Purpose::Engage, 8, 3).next_u64());
        assert_ne!(a, stream(1, Purpose::Engage, 7, 4).next_u64());
    }

    #[test]
    fn unit_and_below_are_in_range_and_roughly_uniform() {
        let mut r = stream(5, Purpose::Feed, 0, 0);
        let n = 100_000;
        let mut sum = 0.0f64;
        let mut counts = [0u32; 10];
        for _ in 0..n {
            let u = unit_f32(&mut r);
            assert!((0.0..1.0).contains(&u));
            sum += u as f64;
            counts[below(&mut r, 10)] += 1;
        }
        // mean of U(0,1): sd of the mean is 0.29/sqrt(n) ≈ 0.0009; allow 5 sd.
        assert!((sum / n as f64 - 0.5).abs() < 0.0046);
        // each bucket expects 10,000 with sd ≈ 95; allow 5 sd.
        assert!(counts.iter().all(|&c| (c as i64 - 10_000).abs() < 475));
    }

    /// `mix32` is one-to-one (checked on 2^20 inputs), and `mix32(id ^ salt)` puts the lower
    /// of two ids first for half of the salts: over 10,000 salts the share has a standard
    /// deviation of 0.005; allowed 5 of them.
    #[test]
    fn mix32_is_one_to_one_and_orders_ids_without_favouring_the_lower() {
        let mut out: Vec<u32> = (0..1u32 << 20).map(|x| mix32(x ^ 0xdead_beef)).collect();
        out.sort_unstable();
        out.dedup();
        assert_eq!(out.len(), 1 << 20);
        let mut r = stream(9, Purpose::TieBreak, 0, 0);
        let salts: Vec<u32> = (0..10_000).map(|_| r.next_u32()).collect();
        for (a, b) in [(0u32, 1u32), (1, 2), (2, 3), (5, 1000), (0, 20_000)] {
            let first = salts
                .iter()
                .filter(|&&s| mix32(a ^ s) < mix32(b ^ s))
                .count();
            let share = first as f64 / salts.len() as f64;
            assert!((share - 0.5).abs() < 0.025, "ids {a} and {b}: {share}");
        }
    }
}
