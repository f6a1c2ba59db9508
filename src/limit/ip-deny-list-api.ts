/** The `IpDenyList` namespace, as `@upstash/ratelimit` exports it. */
export { disableIpDenyList, type IpDenyListSource, updateIpDenyList } from './ip-deny-list.ts'
