import type { Feature, ProblemType, Source } from './schema.js';

// Starter sources and features per problem type, used when the user gives none: enough structure for every
// phase to derive concrete decisions, and named so that it is obvious they are placeholders to replace.
type FeatureSeed = Omit<Feature, 'protected' | 'nullable'> & Partial<Pick<Feature, 'protected' | 'nullable'>>;

const STARTER_FEATURES: Record<ProblemType, FeatureSeed[]> = {
  binary_classification: [
    { name: 'amount', type: 'numeric', min: 0, max: 100_000 },
    { name: 'account_age_days', type: 'integer', min: 0, max: 20_000 },
    { name: 'events_last_24h', type: 'integer', min: 0, max: 10_000, nullable: true },
    { name: 'channel', type: 'categorical', categories: ['web', 'mobile', 'store'] },
    { name: 'is_returning', type: 'boolean' },
  ],
  multiclass_classification: [
    { name: 'text_length', type: 'integer', min: 0, max: 100_000 },
    { name: 'sender_domain', type: 'categorical', categories: ['internal', 'partner', 'external'] },
    { name: 'body', type: 'text', nullable: true },
    { name: 'attachment_count', type: 'integer', min: 0, max: 100 },
  ],
  regression: [
    { name: 'size_sqm', type: 'numeric', min: 1, max: 10_000 },
    { name: 'age_years', type: 'integer', min: 0, max: 200 },
    { name: 'region', type: 'categorical', categories: ['north', 'south', 'east', 'west'] },
    { name: 'has_parking', type: 'boolean', nullable: true },
  ],
  ranking: [
    { name: 'query_item_similarity', type: 'numeric', min: 0, max: 1 },
    { name: 'item_popularity', type: 'numeric', min: 0, max: 1_000_000 },
    { name: 'item_category', type: 'categorical', categories: ['books', 'electronics', 'home', 'toys'] },
    { name: 'position_last_shown', type: 'integer', min: 0, max: 1000, nullable: true },
  ],
  forecasting: [
    { name: 'lag_7d', type: 'numeric', min: 0, max: 1e9 },
    { name: 'lag_28d', type: 'numeric', min: 0, max: 1e9, nullable: true },
    { name: 'day_of_week', type: 'categorical', categories: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
    { name: 'is_holiday', type: 'boolean' },
    { name: 'price', type: 'numeric', min: 0, max: 1e6 },
  ],
  anomaly_detection: [
    { name: 'bytes_sent', type: 'numeric', min: 0, max: 1e12 },
    { name: 'request_rate', type: 'numeric', min: 0, max: 1e6 },
    { name: 'error_ratio', type: 'numeric', min: 0, max: 1 },
    { name: 'protocol', type: 'categorical', categories: ['http', 'https', 'grpc', 'other'] },
  ],
  recommendation: [
    { name: 'user_tenure_days', type: 'integer', min: 0, max: 20_000 },
    { name: 'item_price', type: 'numeric', min: 0, max: 100_000 },
    { name: 'item_category', type: 'categorical', categories: ['books', 'electronics', 'home', 'toys'] },
    { name: 'interactions_last_30d', type: 'integer', min: 0, max: 100_000, nullable: true },
  ],
};

const STARTER_SOURCE: Record<ProblemType, Source> = {
  binary_classification: { name: 'transactions', kind: 'postgres', rows_per_day: 1_000_000 },
  multiclass_classification: { name: 'documents', kind: 's3', rows_per_day: 200_000 },
  regression: { name: 'listings', kind: 'postgres', rows_per_day: 100_000 },
  ranking: { name: 'search_events', kind: 'kafka', rows_per_day: 20_000_000 },
  forecasting: { name: 'daily_sales', kind: 'snowflake', rows_per_day: 500_000 },
  anomaly_detection: { name: 'network_events', kind: 'kafka', rows_per_day: 50_000_000 },
  recommendation: { name: 'interactions', kind: 'kafka', rows_per_day: 10_000_000 },
};

export function starterSources(type: ProblemType): Source[] {
  return [{ ...STARTER_SOURCE[type] }];
}

export function starterFeatures(type: ProblemType): Feature[] {
  return STARTER_FEATURES[type].map((f) => ({ nullable: false, protected: false, ...f }));
}
