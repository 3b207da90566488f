//! The daily columns, declared once. The table below generates [`DailyRow`] (the columns of
//! `daily.csv`, in this order), [`Totals`] (the columns totalled in `summary.json`, in this
//! order) with its accumulation, and [`COLUMNS`], the column definitions from which the
//! `daily.csv` table of docs/OUTPUTS.md is generated (a test keeps the two equal; rewrite it
//! with `UPDATE_DOCS=1 cargo test --release --test docs`). Each column's doc comment is its
//! definition, exactly as computed. A column marked `= sum` is totalled by adding it up over
//! the days, one marked `= last` (a level) by taking the last day's value; the others are not
//! totalled (rates, levels like trust, per-day distributions).

use serde::Serialize;

/// One column of `daily.csv`: its name, its definition (Markdown, one line), and how
/// `summary.json` totals it (`"sum"`, `"last"`, or `None`).
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    /// The Rust type of the field (`u64`, `f64`, …).
    pub kind: &'static str,
    definition: &'static [&'static str],
    pub total: Option<&'static str>,
}

impl Column {
    /// The definition, as one line of Markdown.
    pub fn definition(&self) -> String {
        let words: Vec<&str> = self.definition.iter().map(|l| l.trim()).collect();
        words.join(" ")
    }
}

/// Generates the daily row, its column table and its totals from one list.
macro_rules! daily_columns {
    ($( $(#[doc = $doc:literal])* $name:ident : $ty:ident $(= $how:ident)? ),* $(,)?) => {
        /// One row of `daily.csv`: what happened on one day. Each field's definition is in
        /// [`COLUMNS`] (and docs/OUTPUTS.md).
        #[derive(Clone, Debug, Default, Serialize, PartialEq)]
        pub struct DailyRow {
            $( $(#[doc = $doc])* pub $name: $ty, )*
        }

        /// The columns of `daily.csv`, in order.
        pub const COLUMNS: &[Column] = &[
            $( Column {
                name: stringify!($name),
                kind: stringify!($ty),
                definition: &[$($doc),*],
                total: daily_columns!(@how $($how)?),
            }, )*
        ];

        daily_columns!(@totals [] $( $name : $ty $(= $how)?, )*);
    };
    (@how) => { None };
    (@how $how:ident) => { Some(stringify!($how)) };
    // Collects the totalled columns into `Totals`, keeping their order.
    (@totals [$($acc:tt)*] $name:ident : $ty:ident = $how:ident, $($rest:tt)*) => {
        daily_columns!(@totals [$($acc)* $name : $ty = $how,] $($rest)*);
    };
    (@totals [$($acc:tt)*] $name:ident : $ty:ident, $($rest:tt)*) => {
        daily_columns!(@totals [$($acc)*] $($rest)*);
    };
    (@totals [$($name:ident : $ty:ident = $how:ident,)*]) => {
        /// Totals of the daily columns over the run, in `daily.csv` order: each the sum of
        /// that column over the days, except the levels (`pending_group_orders`,
        /// `pending_group_gmv`), which are the last day's value.
        #[derive(Clone, Debug, Default, Serialize, PartialEq)]
        pub struct Totals {
            $( pub $name: $ty, )*
        }

        impl Totals {
            /// Adds one day's row.
            pub(crate) fn add(&mut self, r: &DailyRow) {
                $( daily_columns!(@add $how self.$name, r.$name); )*
            }
        }
    };
    (@add sum $t:expr, $r:expr) => { $t += $r };
    (@add last $t:expr, $r:expr) => { $t = $r };
}

daily_columns! {
    /// Day index, from 0.
    day: u32,
    /// Consumers who opened the app today: not churned at the start of the day (nor by this
    /// morning's churn hazard) and their visit draw below their visit probability of the day (times
    /// a coupon's boost; docs/MODEL.md, visits).
    active_consumers: u64,
    /// Prospective consumers who joined the platform today (`consumers.arrival_rate`, a
    /// friend's share or invitation, `consumers.referral_join`; a coupon's boost applies): 0
    /// when every consumer is on the platform from the start (`consumers.initial_share = 1`).
    arrivals: u64 = sum,
    /// Consumers on the platform at the end of the day: joined and not churned.
    members: u64,
    /// Feed items shown today, summed over active consumers (each feed holds at most
    /// `recommendation.feed_size` distinct accounts; fewer when candidates repeat).
    impressions: u64 = sum,
    /// Impressions that were engaged with today.
    engagements: u64 = sum,
    /// Follow decisions applied today (engaged, not yet followed, follow draw succeeded). When a
    /// consumer's follow ring is full the new follow replaces its oldest one, so this counts new
    /// follows, not the net change in followers.
    follows: u64 = sum,
    /// Hosts that went live today.
    live_sessions: u64 = sum,
    /// Orders booked today: the purchase decisions placed today, including those cancelled today
    /// (stock-out, a group already closed), and today's undetected fake (brushed) orders; except
    /// that a group-buy order that entered an open group is booked on the day its group forms or
    /// fails, whatever day it was placed (until then it is in `pending_group_orders`).
    orders: u64 = sum,
    /// Sum of the value of the orders booked today (`orders`), including those cancelled today and
    /// those that will be returned or never delivered.
    gross_gmv: f64 = sum,
    /// Today's live orders cancelled because the host's session stock was used up, plus today's
    /// undetected fake (brushed) orders. Orders are booked in arrival order: consumers sorted by a
    /// hash of (seed, consumer, day), each consumer's orders in feed order, so scarce stock
    /// favours no consumer id. Also counted here: the orders of groups that failed today (booked
    /// and refunded today) and orders that reached a group already closed. Stock-outs, brushing
    /// and group buying are the only causes of cancellation.
    cancelled_orders: u64 = sum,
    /// Sum of the value of `cancelled_orders`.
    cancelled_gmv: f64 = sum,
    /// Accepted orders whose delivery day (booking day + the merchant's lead time) is today,
    /// whatever day they were booked; returned ones included.
    delivered_orders: u64 = sum,
    /// Orders delivered today that were returned (wanted to return and discovered within the
    /// window; see SCENARIO.md). Returns are booked on the delivery day.
    returned_orders: u64 = sum,
    /// Sum of the refunds of `returned_orders` (price paid × (1 − `returns.restocking_fee`)):
    /// returns of orders placed on earlier days.
    returned_gmv: f64 = sum,
    /// Orders delivered today that carried return-shipping insurance
    /// (`returns.insurance_take_up`).
    insured_orders: u64 = sum,
    /// Fake orders booked today (brushing not detected): also counted in `orders`,
    /// `cancelled_orders`.
    brushed_orders: u64 = sum,
    /// Their value at list price: also in `gross_gmv` and `cancelled_gmv`, never in `net_gmv`.
    brushed_gmv: f64 = sum,
    /// Fake orders the platform detected and blocked today (never booked).
    brushing_detected: u64 = sum,
    /// Of `delivered_orders`, those bought in a live session.
    delivered_live_orders: u64 = sum,
    /// Of `returned_orders`, those bought in a live session.
    returned_live_orders: u64 = sum,
    /// `gross_gmv − returned_gmv − cancelled_gmv` of this row. It mixes today's orders with
    /// returns of earlier orders, and counts accepted orders as kept until they are returned
    /// (including orders never delivered because their delivery day is past the horizon: see
    /// `in_transit_orders`).
    net_gmv: f64 = sum,
    /// Of today's accepted orders, those whose delivery day is on or after `run.days`: they are
    /// never delivered, so can never be returned, and stay in `net_gmv`. Non-zero only in the last
    /// `merchants.lead_time_max` days.
    in_transit_orders: u64 = sum,
    /// Sum of the value of `in_transit_orders`.
    in_transit_gmv: f64 = sum,
    /// Reviews that entered merchants' reputations today.
    reviews: u64 = sum,
    /// Disputed reviews the jury removed today.
    jury_removed: u64 = sum,
    /// Review rewards paid today (`reviews.reward` per review written, removed or not).
    review_reward_spend: f64 = sum,
    /// At the end of the day, the mean over merchants still trading (not exited) with at least one
    /// rating of (displayed stars
    /// − deserved stars): displayed = the Bayesian average (`merchants.rating_prior_mean`,
    /// `rating_prior_weight`); deserved = 1 + 4 × the mean true quality of its products. Positive:
    /// ratings flatter.
    rating_gap: f64,
    /// Shares made today, on delivery: each reaches `sharing.friends` friends (fewer if the sharer
    /// has fewer).
    shares: u64 = sum,
    /// Share rewards paid today.
    share_reward_spend: f64 = sum,
    /// Accepted orders (booked today, not cancelled) placed on a product a friend shared: what
    /// sharing sold.
    share_orders: u64 = sum,
    /// Groups opened today (a group-buy product bought from a feed).
    groups_opened: u64 = sum,
    /// Groups that reached `group_buying.size` today: their `size` orders are booked (`orders`,
    /// `gross_gmv`) and accepted today, whatever day they were placed.
    groups_formed: u64 = sum,
    /// Groups whose window ended today short of `size`: their orders (1 to `size` − 1 of them) are
    /// booked and refunded today (in `orders`/`gross_gmv` and `cancelled_orders`/`cancelled_gmv`).
    groups_failed: u64 = sum,
    /// Invitations sent today by openers to friends.
    group_invitations: u64 = sum,
    /// Orders that joined an open group today.
    group_joins: u64 = sum,
    /// Of `group_joins`, orders of buyers who came to the group product on their own (from the
    /// feed, a share or an ad) and joined a stranger's open group of it instead of opening one
    /// (`group_buying.stranger_join`).
    stranger_joins: u64 = sum,
    /// Group-buy orders waiting, at the end of the day, in groups still open (neither formed nor
    /// failed): placed on this or an earlier day and not yet booked, so not in `orders` or any
    /// other order count. A level, not a flow: with P the previous day's value (0 before day 0),
    /// `pending_group_orders = P + groups_opened + group_joins − size × groups_formed − (the
    /// orders of the groups that failed today)`.
    pending_group_orders: u64 = last,
    /// Sum of the value of `pending_group_orders` (added group by group, in the order the groups
    /// were opened).
    pending_group_gmv: f64 = last,
    /// Accepted orders (booked, not cancelled) that used a coupon today.
    coupon_orders: u64 = sum,
    /// Sum of the coupon values of `coupon_orders`: paid by the platform, not deducted from GMV or
    /// revenue.
    coupon_spend: f64 = sum,
    /// Membership points earned today on kept deliveries (`loyalty.points_rate` × value).
    points_earned: f64 = sum,
    /// Points redeemed today on booked orders (platform-funded; GMV unchanged).
    points_redeemed: f64 = sum,
    /// Consumers with at least one accepted order today.
    unique_buyers: u64,
    /// Of `unique_buyers`, those who already had an accepted order on an earlier day (two orders
    /// on one's first buying day do not make a repeat buyer that day).
    repeat_buyers: u64,
    /// `repeat_buyers / unique_buyers`.
    repeat_purchase_rate: f64,
    /// `returned_orders / delivered_orders` (both of today's deliveries).
    return_rate: f64,
    /// `returned_live_orders / delivered_live_orders` (0 when none was delivered).
    live_return_rate: f64,
    /// `revenue_commission + revenue_insurance + revenue_ads + revenue_premium`: the platform's
    /// revenue booked today (affiliate payouts to creators are `creator_income`).
    platform_revenue: f64 = sum,
    /// `platform.commission_rate` × value of the orders delivered today and not returned.
    revenue_commission: f64 = sum,
    /// `returns.insurance_premium` × `insured_orders`.
    revenue_insurance: f64 = sum,
    /// `platform.ad_price` × `ad_impressions`.
    revenue_ads: f64 = sum,
    /// `platform.premium_fee` × `premium_members`.
    revenue_premium: f64 = sum,
    /// Ad impressions shown today (`platform.ad_slots` per feed). Not counted in `impressions`,
    /// which are organic.
    ad_impressions: u64 = sum,
    /// Premium members not churned, at the end of the day.
    premium_members: u64,
    /// `creators.affiliate_commission` × value, summed over the orders delivered today and not
    /// returned that a creator or host carried, credited to that account. Orders no account
    /// carried (ad orders, and orders from shares of ad orders) pay no affiliate commission.
    creator_income: f64 = sum,
    /// Sum over orders delivered today and not returned of `value × (1 − commission_rate − a) −
    /// unit cost`, with a = `affiliate_commission` for an order an account carried and 0 for one
    /// no account carried (an ad order), unit cost = list price × (1 − `merchants.margin`); plus,
    /// for each order returned today, the restocking fee it keeps (`value ×
    /// returns.restocking_fee`). Cancelled orders add nothing, and returned ones nothing but the
    /// fee: no return shipping, handling or loss on returned goods, and no cost of unsold stock.
    merchant_profit: f64 = sum,
    /// Mean satisfaction S of today's deliveries, returned ones included (docs/MODEL.md,
    /// satisfaction): σ(`satisfaction_slope` × (realised − expected quality +
    /// `satisfaction_tolerance`) + `satisfaction_level` × (realised − `quality_reference`)); 0
    /// when nothing was delivered.
    mean_satisfaction: f64,
    /// Mean realised quality, in [0, 1], of today's deliveries (returned ones included): how
    /// good the goods consumers chose turned out to be; 0 when nothing was delivered.
    mean_delivered_quality: f64,
    /// Mean platform trust, at the end of the day, of the consumers not churned (active today or
    /// not).
    mean_platform_trust: f64,
    /// Consumers who churned today: this morning's churn hazard (`behaviour.churn_hazard`, moved by
    /// trust and habit), or their platform trust fell below `behaviour.churn_threshold` after a
    /// stock-out penalty, a delivery or a product scandal.
    churned: u64,
    /// Consumers churned from day 0 to today, inclusive.
    churned_total: u64,
    /// Creators and hosts active today: after today's exits and entries, which happen at the start
    /// of the day.
    active_creators: u64,
    /// Scandals that broke this morning.
    scandals: u64,
    /// Compensation paid to recent buyers of scandal merchants today.
    compensation_spend: f64,
    /// Accounts paid by the long-tail support programme today.
    supported_creators: u64,
    /// The programme's payments today (also added to those accounts' `income` in creators.csv, not
    /// to `creator_income`).
    support_spend: f64 = sum,
    /// New creators that entered at the start of today (Poisson draw).
    creator_entries: u64,
    /// Creators and hosts that exited at the start of today.
    creator_exits: u64,
    /// Merchants that exited at the start of today: their smoothed daily profit had stayed
    /// under `merchants.exit_profit` for `merchants.patience_days` days. Nothing of theirs can
    /// be bought from today on (orders already accepted are still delivered).
    merchant_exits: u64,
    /// New merchants that entered at the start of today (Poisson draw, `merchants.entry_rate`),
    /// each with `population.products_per_merchant` new products.
    merchant_entries: u64,
    /// Merchants trading today: after today's exits and entries, which happen at the start of
    /// the day.
    active_merchants: u64,
    /// Gini coefficient of today's impressions per account, over the `active_creators` accounts
    /// (those with no impression included). See [Inequality measures](#inequality-measures).
    exposure_gini: f64,
    /// Share of today's impressions going to the top ⌈1 % × active_creators⌉ accounts (at least
    /// one).
    exposure_top1_share: f64,
    /// Share of today's impressions going to the top ⌈10 % × active_creators⌉ accounts (at least
    /// one).
    exposure_top10_share: f64,
    /// Share of the accounts active at the start of the day that got at least one impression today
    /// (catalogue coverage).
    coverage: f64,
    /// Mean over today's feeds of their Gini–Simpson topic diversity, 1 − Σ_t (n_t / K)², where K
    /// is the feed's length and n_t the number of its accounts whose main topic is t (0 = one
    /// topic, higher = more topics). Each feed's value is truncated to millionths before
    /// averaging, so the sum is exact.
    feed_diversity: f64,
    /// Mean over today's impressions of the engagement probability the consumer had for the item
    /// shown, examination × σ(logit) (docs/MODEL.md, engagement): the expected value of what was
    /// shown to the consumer, position bias included. Each term is truncated to millionths before
    /// summing.
    mean_engage_prob: f64,
    /// Mean Jaccard similarity \|A ∩ B\| / \|A ∪ B\| of the engagement sets (accounts engaged with
    /// at least once since day 0, up to and including today) over all pairs of the sampled
    /// consumers (`recommendation.homogenization_sample`: ids 0, s, 2s, …), counting only pairs
    /// whose union is not empty; 0 when there is none. Rising values mean consumers' consumption
    /// is converging (Chaney et al. 2018).
    homogenization: f64,
    /// Ranking quality against the truth: mean over today's feeds of the quality sample
    /// (consumers 0, 8, 16, …) of NDCG@K = DCG / IDCG, where DCG = Σ_k g_k / log₂(k + 2) over
    /// the feed's organic positions k = 0, 1, …, g is the consumer's true engagement
    /// probability with the item when examined, σ(logit) (docs/MODEL.md, engagement), and IDCG
    /// is the same sum over the best K of the feed's candidates (K = the feed's length). 1 = the
    /// candidates the platform drew, ranked as well as the truth would rank them. Each feed's
    /// value is truncated to millionths before averaging.
    ndcg: f64,
    /// Error of the platform's interest estimates: mean over today's visitors of the quality
    /// sample of the total-variation distance ½ Σ_t \|θ̂_t − θ_t\| between the estimate the
    /// feed was built from and the true interests (0 = exact; docs/MODEL.md, "The platform's
    /// model"). Each value is truncated to millionths before averaging.
    interest_error: f64,
    /// Cold start: `mean_engage_prob` over the impressions shown to consumers in their first 7
    /// days on the platform (0 when there are none).
    new_engage_prob: f64,
    /// The festival of the day: the index + 1 of the first `[[calendar.events]]` entry whose
    /// days cover it, 0 on an ordinary day.
    festival: u64,
    /// Mean over the orders accepted today of the days from booking to delivery: the
    /// merchant's lead time, plus a cross-border mode's days, plus festival congestion (0
    /// without accepted orders).
    mean_delivery_days: f64,
    /// The platform's cost of a festival's full reduction on the orders accepted today
    /// (`calendar.events[].reduction_value` for every full `reduction_threshold` paid).
    festival_discount_spend: f64 = sum,
    /// Of the orders accepted today, those whose merchant is in another market than the buyer
    /// (warehouse orders included).
    cross_border_orders: u64 = sum,
    /// Cross-border orders whose payment failed today (a retry included); each is also in
    /// `orders` and `cancelled_orders`.
    payment_failures: u64 = sum,
    /// Cross-border orders accepted today that found their merchant's overseas warehouse
    /// empty though it had stock this morning, and went by express.
    warehouse_stockouts: u64 = sum,
    /// Merchants' holding cost of today's warehouse stock (`cross_border.warehouse_holding`
    /// per unit held at the end of the day). It lowers the merchants' profit of the day, and so
    /// their exits, but is not in `merchant_profit`.
    warehouse_cost: f64 = sum,
    /// The platform's compliance cost today, over all markets (`compliance_fixed` +
    /// `compliance_per_order` × cross-border orders; not deducted from `platform_revenue`).
    compliance_cost: f64 = sum,
    /// Purchase intents formed today (`search.intent_rate`).
    intents_opened: u64 = sum,
    /// Searches made today (a visit with an open intent, with probability `search.share`).
    searches: u64 = sum,
    /// Orders placed from search results today (before stock, payment and group checks).
    search_orders: u64 = sum,
    /// Consumers in at least one group chat at the end of the day (`[chats]`).
    chat_members: u64 = last,
    /// Members who read their chats today.
    chat_readers: u64 = sum,
    /// Posts in the chats today: one per chat whose merchant trades and is not delisted.
    chat_posts: u64 = sum,
    /// Orders placed into chats' solitaire lists today (before stock and payment checks).
    chat_orders: u64 = sum,
    /// Chat orders delivered today whose buyer posted feedback in the chat.
    chat_feedback: u64 = sum,
    /// Forum visits today: visiting consumers who read a forum (`[forums]`).
    forum_reads: u64 = sum,
    /// Posts published in the forums today (members' and vendors', after moderation).
    forum_posts: u64 = sum,
    /// Of `forum_posts`, the promotional ones (vendors' posts and rewarded members' praise).
    forum_promotional_posts: u64 = sum,
    /// Posts removed by moderation today.
    forum_removed_posts: u64 = sum,
    /// The share of promotional posts among all the forums' front-page posts this morning,
    /// after the vendors' posts of the day (0 without posts).
    forum_promotional_share: f64,
    /// Orders placed through forum posts' purchase buttons today (before stock, payment and
    /// group checks).
    forum_orders: u64 = sum,
    /// Affiliate rewards paid today to members whose posts sold an order delivered and kept
    /// today (`forums.affiliate_reward` × its value; paid by the platform, not deducted from
    /// `platform_revenue`).
    forum_rewards: f64 = sum,
}

impl DailyRow {
    /// A booked order (`orders`, `gross_gmv`): today it was accepted or cancelled.
    pub fn book(&mut self, value: f64) {
        self.orders += 1;
        self.gross_gmv += value;
    }

    /// A cancelled order: its value is refunded (`cancelled_orders`, `cancelled_gmv`).
    pub fn cancel(&mut self, value: f64) {
        self.cancelled_orders += 1;
        self.cancelled_gmv += value;
    }
}
