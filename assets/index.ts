// The example feature project. Copy this folder to start your own: export `definitions(...)` as default.
import { definitions } from '../core/index.ts';
import { purchasesLast5m } from './purchases_last_5m.ts';
import { transactions } from './transactions.ts';
import { userProfiles } from './user_profiles.ts';
import { userPurchases30d } from './user_purchases_30d.ts';

export default definitions({
  assets: [transactions, userProfiles, userPurchases30d],
  streams: [purchasesLast5m],
});
