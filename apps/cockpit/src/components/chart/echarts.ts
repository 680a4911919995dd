import { BarChart, LineChart, MapChart } from 'echarts/charts'
import {
  GeoComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  VisualMapPiecewiseComponent,
} from 'echarts/components'
import { init, registerMap, use, type ECharts } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

// Tree-shaken ECharts: only the charts and components the cockpit draws.
use([
  MapChart, LineChart, BarChart,
  GeoComponent, GridComponent, LegendComponent, TooltipComponent,
  VisualMapPiecewiseComponent, VisualMapContinuousComponent,
  CanvasRenderer,
])

export { init, registerMap, type ECharts }
