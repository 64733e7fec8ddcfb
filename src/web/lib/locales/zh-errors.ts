/**
 * 简体中文 error details: one message per id of core/error-messages.ts (the type makes a missing
 * id a compile error; tests/web/error-messages.test.ts checks the placeholders). Parameters are
 * data (file names, numbers, field names as typed) and render untranslated; a `raw` parameter
 * (a browser's or ONNX Runtime's own English text) is left out here: the page shows the English
 * original one click away.
 */
import type { ErrorMessageId } from '../../../core/error-messages.ts';

export const zhErrorDetails: Record<ErrorMessageId, string> = {
  gammaRange:
    '{{field}} 必须是 (0, 1] 之间的数（要保留的思维链词元比例），收到的是 {{got}}。不压缩请用 1，例如 0.6 表示保留约 60%。',
  gammaTooSmall:
    '{{field}} 的值 {{got}} 太小，一个词元也留不下（1 − γ 舍入后等于 1）；请至少给 {{min}}，例如 0.1 表示保留约 10% 的思维链。',
  gammaNotNumber: '{{field}} 必须是 (0, 1] 之间的数，收到的是 {{got}}。请写成小数，例如 0.6。',
  gammaRangeUrl:
    '网址参数 {{field}} 必须是 (0, 1] 之间的数（要保留的思维链词元比例），收到的是 {{got}}。不压缩请用 1，例如 0.6 表示保留约 60%。',
  gammaTooSmallUrl:
    '网址参数 {{field}} 的值 {{got}} 太小，一个词元也留不下（1 − γ 舍入后等于 1）；请至少给 {{min}}，例如 0.1 表示保留约 10% 的思维链。',
  gammaNotNumberUrl:
    '网址参数 {{field}} 必须是 (0, 1] 之间的数，收到的是 {{got}}。请写成小数，例如 0.6。',
  gammaListEmpty: '{{field}} 为空。请给出一个或多个 (0, 1] 之间的 γ，用逗号分隔，例如 1,0.6。',
  gammaListDuplicate: '{{field}} 中 γ = {{gamma}} 出现了两次。每个值只写一次。',

  benchMissing: '缺少参数 {{field}}。',
  benchPositive: '参数 {{field}} 必须是正整数，收到的是 {{got}}。',
  benchNonNegative: '参数 {{field}} 必须是非负整数，收到的是 {{got}}。',
  benchDataset: '数据集只能是 gsm8k、math（MATH-500）或 arith（TinyArith），收到的是 {{got}}。',
  benchBackend: '后端只能是 auto、webgpu 或 wasm，收到的是 {{got}}。',
  benchGammasEmpty: 'γ 列表为空：请至少给出一个 (0, 1] 之间的 γ。',
  benchNTooLarge: '题数 n = {{n}} 超过了数据集的 {{size}} 道题；请给 1 到 {{size}} 之间的 n。',
  benchNTooLargeShort: '题数 n = {{n}} 超过了数据集的 {{size}} 道题。',
  benchModelEmpty: '没有指定模型。',
  benchBaselineType: '基线必须是一个生成模型的编号，或者不设基线。',
  benchBaselineSelf:
    '基线就是模型本身（{{model}}）；请给出它训练所用的原始模型，或者不设基线、以它自己 γ = 1 的运行作对照。',

  textNotString: '{{where}} 必须是文字，收到的是 {{got}}。',
  textEmpty: '{{where}} 为空或只有空白：请给出要压缩的思维链。',
  textTooLarge: '{{where}} 有 {{length}} 个字符，上限是 {{limit}}。请拆成几段。',
  whereCot: '思维链',
  questionEmpty: '问题为空。请输入一个问题，或从数据集中选一个。',
  promptEmpty: '提示词为空：没有可以生成的内容。',
  ctsNeedsQuestion: '条件为 {{condition}} 的 CTS 需要问题，但问题为空；请给出问题，或换一个条件。',
  ctsNeedsAnswer: '条件为 {{condition}} 的 CTS 需要答案，但答案为空；请给出答案，或换一个条件。',
  ctsCotEmpty: '要用 {{scorer}} 打分的思维链为空。',
  ctsCotTooLarge:
    '要用 {{scorer}} 打分的思维链有 {{length}} 个字符，上限是 {{limit}}。请拆成几段。',
  ctsConditionOverWindow:
    'CTS 条件（{{condition}}）有 {{tokens}} 个词元，不短于 {{window}} 个词元的窗口；请缩短它、换一个条件，或把窗口调大。',
  ctsConditionOverModel:
    'CTS 条件（{{condition}}）有 {{tokens}} 个词元，占满了 {{model}} 的全部 {{positions}} 个位置；请缩短它或换一个条件。',
  ctsPassTooLong:
    '一次 {{scorer}} 计算需要 {{tokens}} 个位置，但 {{model}} 最多只有 {{positions}} 个；请调小窗口或缩短条件。',
  ctsPositiveTokens: '{{field}} 必须是正整数（词元数），收到的是 {{got}}。',
  ctsCondition: '条件只能是问题、答案或两者，收到的是 {{got}}。',
  scoringCancelled: '打分已取消。',

  maxTokensPositive: '{{field}} 必须是正整数，收到的是 {{got}}。',
  maxTokensTooMany:
    '{{field}} 为 {{got}}，{{model}} 放不下：它一共只有 {{positions}} 个位置（含提示词）；最多请给 {{max}}。',
  maxNewTokensForm: '最大新词元数必须是正整数。',
  noModelLoaded: '还没有加载模型：请先加载一个。',
  noScorerLoaded: '还没有加载打分模型：请先选一个模型并加载。',
  noReferenceLoaded: '还没有加载参考模型：请选一个，再按“压缩”。',
  unknownModel: '未知的模型 {{id}}。已知的模型有：{{known}}。',
  compareSameScorers: '请选两个不同的打分器（或两个条件不同的 CTS）来比较。',
  workerStoppedGeneration: '生成线程已停止。请重新加载模型，或改用 WASM 后端。',
  workerCrashedGeneration:
    '生成线程崩溃了（例如 GPU 设备丢失或内存不足）。请重新加载模型，或改用 WASM 后端。',
  workerStoppedScorer: '打分线程已停止。请按“压缩”重新加载模型，或改用 WASM 后端。',
  workerCrashedScorer:
    '打分线程崩溃了（例如 GPU 设备丢失或标签页内存不足）。请按“压缩”重新加载模型，或改用 WASM 后端。',
  workerMessageScorer:
    '打分线程已停止（有一条消息无法读取）。请按“压缩”重新加载模型，或改用 WASM 后端。',
  workerCancelledScorer: '打分线程在回答前就被停止了。',
  modelHostNotHttp:
    '模型服务器 {{host}} 不是 http(s) 地址：请输入类似 http://192.168.1.10:8080/ 的地址。',

  savedRunsFull:
    '本站的浏览器存储已满，无法保存这次评测；评测会继续，结果保留在这个标签页里，但刷新页面就会丢失。可以这样腾出空间：其他 {{runs}} 次已保存的评测占用 {{runBytes}}（在“其他运行”里取消它们），本站的其他数据占用 {{otherBytes}}（在浏览器的网站设置里清除）。下一道题完成后会再次保存。',
  savedRunDamaged: '浏览器里保存的一次评测已损坏，已将其删除。请重新开始评测。',
  savedRunsDamaged:
    '浏览器里保存的一次评测已损坏，已将其与另外 {{others}} 次损坏的评测一并删除。请重新开始评测。',
  savedRunNotResumable: '无法继续这次已保存的评测，已将其删除；请重新开始。',

  fileSizeMismatch:
    '{{where}} 有 {{actual}} 字节，应为 {{expected}} 字节：文件被截断或替换了。请删除它（或清除应用的模型缓存）后重新加载。',
  fileShaMismatch:
    '{{where}} 的 sha256 是 {{actual}}…，应为 {{expected}}…：文件已损坏。请删除它（或清除应用的模型缓存）后重新加载。',
  fileSizeVsManifest:
    '{{where}} 有 {{actual}} 字节，而模型清单写的是 {{expected}} 字节：文件被截断或替换了。请删除它（或清除应用的模型缓存）后重新加载。',
  fileSizeVsHub:
    '{{where}} 有 {{actual}} 字节，而模型仓库在此版本的文件列表写的是 {{expected}} 字节：文件被截断或替换了。请删除它（或清除应用的模型缓存）后重新加载。',
  fileSizeVsRecorded:
    '{{where}} 有 {{actual}} 字节，而首次下载时记录的是 {{expected}} 字节（服务器现在给的是另一份文件）：文件被截断或替换了。请删除它（或清除应用的模型缓存）后重新加载。',
  fileShaVsManifest:
    '{{where}} 的 sha256 是 {{actual}}…，而模型清单写的是 {{expected}}…：文件已损坏或被替换。',
  fileShaVsHub:
    '{{where}} 的 sha256 是 {{actual}}…，而模型仓库在此版本的文件列表写的是 {{expected}}…：文件已损坏或被替换。',
  fileShaVsRecorded:
    '{{where}} 的 sha256 是 {{actual}}…，而首次下载时记录的是 {{expected}}…（服务器现在给的是另一份文件）：文件已损坏或被替换。',
  fileGitBlobMismatch:
    '{{where}} 的 git 对象 sha1 是 {{actual}}…，而模型仓库在此版本给出的是 {{expected}}…：文件已损坏或被替换。',
  fileNotLfs:
    '{{where}} 有 {{size}} 字节：模型仓库会把超过 10 MB 的文件存为 LFS 文件，不会是普通文件；这不是仓库里的那个文件。',

  offlineNotCached:
    '当前处于离线状态，而本设备上还没有 {{file}}：这个模型需要联网下载一次（或在“模型”页导入它的文件夹）。应用自带的模型可以离线使用。',
  fetchFailed: '无法从 {{url}} 下载 {{file}}。请检查网络，或改用本地模型文件夹或镜像。',
  httpFailed: '从 {{url}} 下载 {{file}} 失败：HTTP 状态 {{status}}。',
  htmlInsteadOfFile:
    '{{url}} 返回的是一个网页（HTML，状态 200），而不是 {{file}}：那是登录页、错误页或代理页，不是模型文件。没有保留任何内容；请检查地址、镜像和访问令牌后重试。',
  transferRefused:
    '来自 {{url}} 的 {{where}}：{{reason}}。没有保留任何内容；请检查模型服务器后重试。',
  reasonSizeDisagrees: '服务器提供 {{served}} 字节，而{{expectedBy}}要求 {{expected}} 字节',
  reasonNoSize:
    '服务器没有声明大小，也没有已知的大小，因此无法分辨被截断或无穷无尽的内容与真正的文件',
  reasonOverBound: '服务器声明有 {{size}} 字节，超过了单个模型文件 {{bound}} 字节的上限',
  reasonFarFromRegistry: '服务器声明有 {{size}} 字节，而模型清单写的是约 {{approximate}} 字节',
  reasonTooLong: '内容超出了声明的 {{size}} 字节（比声明的长）',
  reasonHtmlPage: '服务器返回的是 HTML 网页，而不是模型文件',
  reasonEndedNoSize:
    '内容在预期的 {{total}} 字节中只收到 {{received}} 字节就结束了，且服务器自己没有声明大小',
  reasonTensorSize: '有 {{size}} 字节，而张量缓存清单写的是 {{expected}} 字节',
  reasonHtmlFile: '服务器返回的是 HTML 网页，而不是这个文件',
  reasonNotWasm: '不是 WebAssembly 模块（缺少文件头）',
  reasonNotJson: '不是有效的 JSON（被截断，或是别的文件）',
  reasonNotStored: '没有存进缓存',
  sizeByRegistry: '模型清单',
  sizeByRecorded: '首次下载时的记录',
  sizeByHub: '模型仓库的文件列表',
  sizeByTensorCache: '张量缓存清单',
  downloadStopped:
    '从 {{url}} 下载 {{file}} 中断了。已收到的 {{kept}} 字节已保留：再次下载会从那里继续。',
  downloadStalled:
    '从 {{url}} 下载 {{file}} 停滞了（{{seconds}} 秒内只收到 {{bytes}} 字节）。已收到的 {{kept}} 字节已保留：再次下载会从那里继续。',
  downloadEndedShort:
    '从 {{url}} 下载 {{file}} 中断了（在 {{total}} 字节中只收到 {{received}} 字节）。已收到的 {{kept}} 字节已保留：再次下载会从那里继续。',
  downloadCancelledFile: '{{file}} 的下载已取消；已收到的字节已保留。',
  downloadCancelled: '下载已取消；已收到的字节已保留。',
  keptPartGone: '{{url}} 已保留的一部分不见了；请重新下载。',
  noBody: '{{url}} 没有返回任何内容。',
  storageFull:
    '浏览器存储空间不足，放不下 {{file}}：它需要 {{need}}。请删除不用的模型（“模型”页）、清理磁盘空间，或按“保留模型”让浏览器给予更多空间。',
  storageFullRoom:
    '浏览器存储空间不足，放不下 {{file}}：它需要 {{need}}，但本站只能再存 {{free}}。请删除不用的模型（“模型”页）、清理磁盘空间，或按“保留模型”让浏览器给予更多空间。',
  storageFullModel:
    '浏览器存储空间不足，放不下这个模型：它需要 {{need}}。请删除不用的模型（“模型”页）、清理磁盘空间，或按“保留模型”让浏览器给予更多空间。',
  noCacheStorage: '此浏览器不给页面提供缓存存储（无痕窗口或不安全的地址）：模型无法保存在这里。',
  storeFailed: '无法保存来自 {{url}} 的 {{file}}。',
  noPinnedRevision: '{{model}} 没有固定版本，而模型仓库也没能说明主分支当前是哪个提交（{{url}}）。',
  noCommitSha: '{{url}} 没有返回 {{repo}} 的提交编号。',
  notTensorCache: '{{url}} 不是张量缓存清单：请检查模型服务器提供的是不是 MLC 权重文件夹。',
  noTokenizerFiles:
    '{{base}} 的 mlc-chat-config.json 没有列出分词器文件（{{files}}）：WebLLM 无法加载这个模型。请连同分词器重新导出。',

  importMissing:
    '所选文件夹缺少 {{files}}：没有导入任何内容。请选择模型自己的文件夹（包含 {{first}} 的那个）。',
  importEmptyFile:
    '所选文件夹中的 {{file}} 是空的（0 字节）：它不可能是模型文件。没有导入任何内容。',
  importSizeRefused: '所选文件夹中的 {{where}}：{{reason}}。没有导入任何内容。',
  importHashRefused: '{{reason}} 没有导入任何内容。',
  importStoreFailed: '无法保存导入的文件；没有导入任何内容。',

  jsonInvalid: '{{where}} 不是有效的 JSON；请重新下载模型。',
  tokenizerLoadFailed: '无法加载 {{where}}。请重新下载或重新导出模型。',
  onnxGraphFailed:
    '无法加载 {{model}} 的 ONNX 计算图。文件可能被截断，或不是 ONNX 模型；请重新下载。',
  onnxSessionFailed:
    '无法为 {{model}} 创建 ONNX 运行会话。文件可能被截断，或这个后端运行不了它；请换一个引擎或后端。',
  ortLoadFailed: 'ONNX 运行时无法加载 {{model}}。',
  jsonInvalidShort: '{{where}} 不是有效的 JSON；请重新导出或重新下载模型。',
  logitsNotFinite:
    '{{model}} 输出了 {{value}} 的对数几率：它的权重已损坏（或在此精度下溢出），所有结果都会是错的。请重新导出或重新下载模型。',
  scorerVocabTooSmall:
    '{{model}}：config.json 中的词表大小是 {{vocab}}，而 LLMLingua-2 需要 {{needed}}（分词器加 100 个占位词元）。这是 LLMLingua-2 模型吗？',
  scorerTypeUnsupported:
    '不支持的打分模型类型 {{modelType}}（分词器 {{tokenizer}}）：LLMLingua-2 只支持 XLM-RoBERTa 和 BERT 词元分类器。',
  referenceNoStartToken:
    '参考模型 {{model}} 的 config.json 既没有开始词元也没有结束词元的编号；因果打分器需要其中之一来预测思维链的第一个词元。请在 config.json 中补上。',
  notCausalConfig:
    '{{where}}：config.json 缺少层数、注意力头数或头维度；它不是因果语言模型的配置。',
  gpuFailedAt:
    '{{model}}：GPU 在上下文达到 {{tokens}} 个词元时出错。请重新加载模型、改用 WASM 后端，或调低词元预算。',
  webllmNoWebGpu:
    'WebLLM 需要 WebGPU，而此浏览器没有提供（没有 GPU 适配器）。请改用 ONNX 引擎：它可以在 WASM 上运行。',
  webllmFeatures:
    '{{model}} 需要 WebGPU 功能 {{features}}，这块 GPU 没有，也没有可替代的版本。请选一个 q4f32 模型或改用 ONNX 引擎。',
  webllmGpuFailed: 'WebLLM 无法为 {{model}} 使用 GPU。请刷新页面，或改用 ONNX 引擎。',
  webllmBadFile:
    'WebLLM 为 {{model}} 读到了错误或损坏的文件。它的缓存文件已删除；请确认服务器返回的是模型文件（而不是 HTML 网页），然后重新加载。',
  webllmDownloadFailed:
    'WebLLM 无法下载 {{model}}。请检查网络后重新加载：已下载的文件保留在缓存里，不会再下载一次。也可以改用 ONNX 引擎。',

  percentileRange: '百分位数必须在 [0, 100] 之间，收到的是 {{got}}。',
  forceTokensTooMany: '最多支持 100 个强制保留词元，收到的是 {{got}} 个。',
  linguaBatchSize: 'batchSize 必须是正整数，收到的是 {{got}}。',
  classifierRowsShort: '词元分类器返回的行数或位置数少于输入。',
  scorerNoDecoder: '打分模型的 tokenizer.json 没有解码器；LLMLingua-2 需要它来还原文本。',
  scorerNoUnk: '打分模型的分词器词表中没有未知词元 {{token}}。',
  whereScorerTokenizer: '打分模型的 tokenizer.json',
  whereScorerDecoderSpec: '打分模型的解码器说明',
  whereTokenizerOf: '{{model}} 的 tokenizer.json',
  classifierLogitsType: '{{where}}：logits 的类型是 {{type}}，应为 float32 或 float16。',
  classifierNoInput:
    '{{model}} 没有输入 {{input}}（它的输入：{{inputs}}）；它不是词元分类器的导出。',
  classifierNoLogits: '{{model}} 没有 logits 输出（它的输出：{{outputs}}）。',
  classifierLogitsShape:
    '{{model}} 返回的 logits 形状是 [{{dims}}]，应为 [{{rows}}, {{width}}, 2]（二分类的词元分类器）。',

  datasetLineNotJson: '{{file}} 第 {{line}} 行不是有效的 JSON。',
  datasetLoadFailed: '无法加载 {{file}}：HTTP 状态 {{status}}。',
  arithSizeRange: '{{split}} 的题数必须是 0 到 {{max}} 之间的整数，收到的是 {{got}}。',
  arithLanguages: '语言只能从 {{known}} 中选，收到的是 {{got}}。',
  arithSeed: '种子必须是 0 到 4294967295 之间的整数，收到的是 {{got}}。',
  arithTooFew: '无法抽出 {{n}} 道互不相同的 {{split}} 题；请少要一些。',
  arithRole: '未知的词角色 {{got}}（应为 e、f 或 c）。',
  arithRoleCount: '思维链有 {{words}} 个词，却有 {{roles}} 个角色。',

  unknownPromptFamily: '未知的提示词格式 {{family}}。可选的有：{{known}}。',
  duplicateRunName: '有两次运行都叫 {{name}}。请给每次运行起不同的名字（或放进不同的文件）。',
  questionNotInDataset: '题目 {{id}} 不在 {{dataset}} 中。',
  compareNotAligned: '比较的两个打分器必须对应同一段思维链。',

  logitsTooFew:
    '模型只返回了 {{logits}} 个 logits，少于 {{positions}} 个位置 × {{vocab}} 个词表项；请确认它是 logits 形状为 [batch, sequence, vocab] 的因果语言模型。',
  tokenOutsideVocab:
    '第 {{position}} 个位置的词元编号 {{token}} 超出了模型 {{vocab}} 个词的词表；分词器和模型不是一套的。',
  logProbCount: '对数概率计算返回了 {{values}} 个值，而 {{tokens}} 个词元应有 {{expected}} 个。',
  referenceNoConfig:
    '参考模型 {{model}} 没有 config.json；KV cache 的大小要靠它确定（transformers.js 格式的因果语言模型都有这个文件）。',
  referenceNoTokenizer:
    '参考模型 {{model}} 没有 tokenizer.json；打分器要用它给思维链分词（transformers.js 格式的因果语言模型都有这个文件）。',
  referenceNoLogits:
    '{{model}} 没有 logits 输出（它的输出：{{outputs}}）；参考模型必须是为文本生成导出的因果语言模型（transformers.js 格式）。',
  referenceNoInput:
    '{{model}} 没有输入 {{input}}（它的输入：{{inputs}}）；参考模型必须是 transformers.js 格式的因果语言模型。',
  referenceUnknownInputs: '{{model}} 需要一些本程序不知道如何填写的输入：{{inputs}}。',
  referenceLogitsShape:
    '{{model}} 对 {{length}} 个词元返回的 logits 形状是 [{{dims}}]，应为 [1, {{length}}, vocab]。',
  referenceLogitsType:
    '{{model}} 返回的是 {{type}} 类型的 logits；打分器只能读 float32 或 float16。',
  referenceNoPresent: '{{model}} 接收 {{input}}，却没有对应的 present.* 输出。',
  listNone: '无',
  engineNotCausalKv:
    '{{model}} 不是带 KV cache 的因果语言模型（缺少 {{missing}}）。请连同 past key values 导出（transformers.js 格式）。',
  engineLogitsShape: '{{model}}：logits 应为 [1, T, vocab]，实际是 [{{dims}}]。',
  engineNoLogits: '{{model}}：logits 应为 [1, T, vocab]，实际没有 logits 输出。',
  enginePresentMissing:
    '{{model}}：缺少输出 present.{{layer}}.{{kind}}；config.json 写的是 {{layers}} 层。',
  ortRunFailed: '{{model}}：ONNX Runtime 运行出错。',
  modelNotLoaded: '{{model}} 还没有加载：请先加载它。',
  webllmNoUsage:
    'WebLLM 运行完 {{model}} 却没有给出用量信息（已设置 stream_options.include_usage）。',

  pathBadRepo:
    '{{where}}：仓库名 {{value}} 不允许（必须是 owner/name，只含字母、数字、“_”、“-” 和 “.”）；请修正模型清单中的条目。',
  pathBadRevision:
    '{{where}}：版本 {{value}} 不允许（必须是一个简单的名字，即提交编号）；请修正模型清单中的条目。',
  pathBadFile:
    '{{where}}：文件路径 {{value}} 不允许（必须是模型文件夹内的相对路径）；请修正模型清单中的条目。',
  notHubModel: '{{model}} 不是模型仓库中的模型。',
  revisionNotResolved: '{{model}} 没有固定版本：请先确定它的版本。',
  fileNotPlanned: '{{model}}：{{path}} 不在这次加载的计划中（它不是这个模型的文件）。',
};
