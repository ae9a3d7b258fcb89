/**
 * Photos taken on the device, queued and uploaded when online. Part of the app shell (the status bar shows them):
 * ../messages.ts holds this Chinese, ../en.ts loads the English (./en/photos.ts) with the core's.
 */

export const zh = {
	'photo.add': '拍照/添加照片',
	'photo.fromAlbum': '从相册选择',
	'photo.adding': '正在保存照片…',
	'photo.title': '照片',
	'photo.hint': '照片会压缩后先存在本机，联网后自动上传。',
	'photo.noteHint': '可以拍下纸条原件，方便以后核对。',
	'photo.max': '最多 {max} 张照片',
	'photo.alt': '照片 {n}',
	'photo.open': '查看第 {n} 张照片',
	'photo.remove': '删除第 {n} 张照片',
	'photo.loading': '正在加载照片…',
	'photo.saved': '照片已保存',
	'photo.state.unattached': '保存后上传',
	'photo.state.pending': '待上传',
	'photo.state.failed': '上传失败',
	'photo.state.done': '已上传',
	'photo.pending': '照片待上传 {count} 张',
	'photo.failed': '{count} 张照片上传被拒绝',
	'photo.retry': '重新上传',
	'photo.error.not_image': '这个文件不是可用的照片（支持 JPEG、PNG、WebP）。',
	'photo.error.too_large': '照片太大，无法保存。',
	'photo.error.quota': '本机存储空间已满，这张照片没有保存。请先联网同步或清理空间再试。',
	'photo.error.storage': '照片没有保存：本机存储出错。',
	'photo.error.not_found': '无法显示这张照片。',
	'photo.error.offline': '离线中，联网后才能显示这张照片。',
	'photo.error.unauthorized': '服务器未接受本设备，无法显示照片。'
} as const satisfies Record<string, string>;
