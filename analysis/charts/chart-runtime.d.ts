import type { ChartConfiguration, Plugin } from 'chart.js';

export declare const backgroundPlugin: Plugin;
export declare function prepareChartConfig<T extends ChartConfiguration>(config: T): T;
