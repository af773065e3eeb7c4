export { accuracy, macroF1, logLoss, argmaxRows, classificationMetrics } from './classification';
export { rmse, mae, r2, regressionMetrics } from './regression';
