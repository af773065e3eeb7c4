export { median, quantile } from './quantile';
