<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>ComputeRow</name>
    <message>
        <location filename="../../app/pages/forms.py" line="111"/>
        <source>auto</source>
        <translation>自動</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="112"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="113"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="134"/>
        <source>Backend the model runs on; automatic: KERAS_BACKEND, else TensorFlow (PyTorch: NVIDIA GPUs on Windows)</source>
        <translation>モデルを実行するバックエンド。自動: KERAS_BACKEND、なければ TensorFlow（Windows の NVIDIA GPU には PyTorch）</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="143"/>
        <source>auto: a GPU when the backend sees one; gpu: fail rather than use the CPU</source>
        <translation>自動: バックエンドが GPU を認識すれば GPU。GPU: GPU がなければ CPU を使わずにエラー</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="153"/>
        <source>float32 as the reference; bfloat16 faster on CPUs with AVX512-BF16 (a few voxels differ); mixed: float16, GPUs only</source>
        <translation>float32: リファレンスと同じ。bfloat16: AVX512-BF16 対応 CPU で高速（数ボクセル異なる）。mixed: float16 の混合精度、GPU のみ</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="171"/>
        <source>automatic ({0})</source>
        <translation>自動 ({0})</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="175"/>
        <source>{0} (not installed)</source>
        <translation>{0}（未インストール）</translation>
    </message>
</context>
<context>
    <name>DiagnosticsDialog</name>
    <message>
        <location filename="../../app/diagnostics.py" line="27"/>
        <source>About FFN Workbench</source>
        <translation>FFN Workbench について</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="29"/>
        <source>FFN Workbench</source>
        <translation>FFN Workbench</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="29"/>
        <source>Platform</source>
        <translation>プラットフォーム</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="35"/>
        <source>checking...</source>
        <translation>確認中...</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="16"/>
        <source>CPU threads</source>
        <translation>CPU スレッド数</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="16"/>
        <source>Worker Python</source>
        <translation>ワーカーの Python</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="23"/>
        <source>Default device</source>
        <translation>既定のデバイス</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="24"/>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="81"/>
        <source>yes</source>
        <translation>対応</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="81"/>
        <source>no</source>
        <translation>非対応</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="83"/>
        <source>{0} ({1}; bfloat16: {2})</source>
        <translation>{0}（{1}、bfloat16: {2}）</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="89"/>
        <source>not installed</source>
        <translation>未インストール</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="92"/>
        <source>cannot start: {0}</source>
        <translation>起動できません: {0}</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="94"/>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="95"/>
        <source>GPUs: {0}</source>
        <translation>GPU: {0}</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="77"/>
        <source>default</source>
        <translation>既定</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="101"/>
        <source>{0} is not installed: choose another backend</source>
        <translation>{0} がインストールされていません。別のバックエンドを選んでください</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="105"/>
        <source>{0} by default</source>
        <translation>既定は {0}</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="107"/>
        <source>{0} by default; {1} is faster here</source>
        <translation>既定は {0}（この環境では {1} が高速）</translation>
    </message>
</context>
<context>
    <name>ErrorViewPanel</name>
    <message>
        <location filename="../../app/inspect/error_view.py" line="22"/>
        <source>Adapted Rand error</source>
        <translation>Adapted Rand エラー</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="22"/>
        <source>Rand precision</source>
        <translation>Rand 適合率</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="22"/>
        <source>Rand recall</source>
        <translation>Rand 再現率</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="22"/>
        <source>VOI split (bits)</source>
        <translation>VOI 分割（ビット）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="22"/>
        <source>VOI merge (bits)</source>
        <translation>VOI 結合（ビット）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="64"/>
        <source>Ground truth: {0}</source>
        <translation>正解データ: {0}</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="64"/>
        <source>This project has no ground truth (import labels to score runs).</source>
        <translation>このプロジェクトには正解データがありません（評価するにはラベルをインポートしてください）。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="72"/>
        <source> voxels</source>
        <translation> ボクセル</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="73"/>
        <source>An overlap counts when it has at least this many voxels</source>
        <translation>重なりがこのボクセル数以上のときに数えます</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="79"/>
        <source>... and at least this share of the smaller of the two objects (ignores slightly shifted boundaries)</source>
        <translation>…かつ、2 つのオブジェクトのうち小さい方に対してこの割合以上のとき（わずかな境界のずれは無視）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="81"/>
        <source>Compute errors</source>
        <translation>エラーを計算</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="85"/>
        <source>Overlap at least</source>
        <translation>重なりの下限</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="87"/>
        <source>and</source>
        <translation>かつ</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="123"/>
        <source>Split ground-truth objects: {0}; merging segments: {1}.</source>
        <translation>分割された正解オブジェクト: {0}、結合しているセグメント: {1}。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="137"/>
        <source>GT {0} split into {1}</source>
        <translation>正解 {0} が {1} に分割</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="140"/>
        <source>segment {0} merges GT {1}</source>
        <translation>セグメント {0} が正解 {1} を結合</translation>
    </message>
    <message>
        <location filename="../../app/inspect/error_view.py" line="154"/>
        <source>The segmentation was edited: press Compute errors again.</source>
        <translation>セグメンテーションが編集されました。もう一度「エラーを計算」を押してください。</translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <location filename="../../app/pages/export_page.py" line="34"/>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="45"/>
        <source>8-bit colour, a stable colour per ID (for viewing)</source>
        <translation>8 ビットカラー、ID ごとに固定色（閲覧用）</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="46"/>
        <source>Renumber IDs 1..N if they do not fit</source>
        <translation>収まらない場合は ID を 1..N に振り直す</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="47"/>
        <source>Replace a non-empty destination</source>
        <translation>空でない出力先を上書きする</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="51"/>
        <source>Folder...</source>
        <translation>フォルダー...</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="53"/>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="57"/>
        <source>Evaluate against the project&apos;s labels</source>
        <translation>プロジェクトのラベルで評価</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="71"/>
        <source>Run</source>
        <translation>推論ラン</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="72"/>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="73"/>
        <source>Bit depth</source>
        <translation>ビット深度</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="76"/>
        <source>Destination</source>
        <translation>出力先</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="78"/>
        <source>Evaluation</source>
        <translation>評価</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="84"/>
        <source>&lt;h3&gt;Export and evaluate a segmentation&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;セグメンテーションのエクスポートと評価&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="13"/>
        <source>Adapted Rand error</source>
        <translation>Adapted Rand エラー</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="13"/>
        <source>Rand precision</source>
        <translation>Rand 適合率</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="13"/>
        <source>Rand recall</source>
        <translation>Rand 再現率</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="13"/>
        <source>VOI split</source>
        <translation>VOI 分割</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="13"/>
        <source>VOI merge</source>
        <translation>VOI 結合</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="18"/>
        <source>one PNG per z slice</source>
        <translation>z スライスごとに PNG 1 枚</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="19"/>
        <source>one TIFF per z slice</source>
        <translation>z スライスごとに TIFF 1 枚</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="20"/>
        <source>a single multi-page TIFF</source>
        <translation>マルチページ TIFF 1 ファイル</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="21"/>
        <source>segmentation.h5 with the box</source>
        <translation>ボックス付きの segmentation.h5</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="32"/>
        <source>Inference run (inference/&lt;run&gt;/segmentation.h5)</source>
        <translation>推論ラン（inference/&lt;run&gt;/segmentation.h5）</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="35"/>
        <source>Show this run&apos;s segmentation in the viewer</source>
        <translation>このランのセグメンテーションをビューアに表示</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="41"/>
        <source>default (16 bit; 32 for HDF5)</source>
        <translation>既定（16 ビット、HDF5 は 32）</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="43"/>
        <source>{0} bit</source>
        <translation>{0} ビット</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="44"/>
        <source>Grey bit depth; segment IDs are kept exactly or refused</source>
        <translation>グレーのビット深度。セグメント ID はそのまま保持され、収まらない場合は拒否されます</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="49"/>
        <source>default: &lt;project&gt;/exports/&lt;run&gt;-&lt;format&gt;-&lt;depth&gt;</source>
        <translation>既定: &lt;project&gt;/exports/&lt;run&gt;-&lt;format&gt;-&lt;depth&gt;</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="58"/>
        <source>Adapted Rand error (SNEMI3D) and variation of information in the run&apos;s box</source>
        <translation>ランのボックス内の Adapted Rand エラー（SNEMI3D）と情報の変動（VOI）</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="111"/>
        <source>There is no inference run to export.</source>
        <translation>エクスポートする推論ランがありません。</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="111"/>
        <source>Run inference first.</source>
        <translation>先に推論を実行してください。</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="120"/>
        <source>Written to {0}</source>
        <translation>書き出し先: {0}</translation>
    </message>
    <message>
        <source>8-bit colour</source>
        <translation>8 ビットカラー</translation>
    </message>
    <message>
        <source>Choose an inference run.</source>
        <translation>推論ランを選んでください。</translation>
    </message>
    <message>
        <source>Destination: {0}</source>
        <translation>出力先: {0}</translation>
    </message>
    <message>
        <source>Export destination</source>
        <translation>エクスポート先</translation>
    </message>
    <message>
        <source>Export run &lt;b&gt;{0}&lt;/b&gt; ({1} voxels, z × y × x) as {2}, {3}.</source>
        <translation>ラン &lt;b&gt;{0}&lt;/b&gt;（{1} ボクセル、z × y × x）を {2}、{3} でエクスポートします。</translation>
    </message>
    <message>
        <source>Segmentation of {0} voxels (z × y × x).</source>
        <translation>{0} ボクセル（z × y × x）のセグメンテーション。</translation>
    </message>
    <message>
        <source>The destination is not empty: tick &apos;Replace a non-empty destination&apos; or choose another folder.</source>
        <translation>出力先が空ではありません。「空でない出力先を上書きする」をチェックするか、別のフォルダーを選んでください。</translation>
    </message>
    <message>
        <source>There is no inference run yet: segment the image first.</source>
        <translation>推論ランがまだありません。先に画像をセグメンテーションしてください。</translation>
    </message>
    <message>
        <source>Writes {0} slices, one at a time.</source>
        <translation>{0} 枚のスライスを 1 枚ずつ書き出します。</translation>
    </message>
    <message>
        <source>a new folder in {0}</source>
        <translation>{0} 内の新しいフォルダー</translation>
    </message>
    <message>
        <source>{0}-bit grey</source>
        <translation>{0} ビットグレー</translation>
    </message>
</context>
<context>
    <name>ImportPage</name>
    <message>
        <location filename="../../app/pages/import_page.py" line="174"/>
        <source>Images</source>
        <translation>画像</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="175"/>
        <source>Labels</source>
        <translation>ラベル</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="150"/>
        <source>Convert colour (RGB) slices to gray</source>
        <translation>カラー（RGB）スライスをグレースケールに変換</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="153"/>
        <source>Import</source>
        <translation>インポート</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="180"/>
        <source>Voxel size</source>
        <translation>ボクセルサイズ</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="183"/>
        <source>&lt;h3&gt;Import EM images and labels&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;EM 画像とラベルのインポート&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="143"/>
        <source>EM images: folder, multi-page TIFF or file.h5:dataset</source>
        <translation>EM 画像: フォルダーかファイル</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="145"/>
        <source>Labels (optional): folder, TIFF or file.h5:dataset</source>
        <translation>ラベル（任意）</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="151"/>
        <source>RGB(A) images are refused unless this is ticked; then they are converted with the ITU-R 601 luma weights.</source>
        <translation>チェックしない場合、RGB(A) 画像は拒否されます。チェックすると ITU-R 601 の輝度係数でグレーに変換します。</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="154"/>
        <source>Write the stacks as chunked, compressed HDF5 into the project (in the worker process)</source>
        <translation>スタックをチャンク化・圧縮した HDF5 としてプロジェクトに書き込みます（ワーカープロセスで実行）</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="168"/>
        <source>Voxel size along {0} (e.g. nm); stored with the volumes</source>
        <translation>{0} 方向のボクセルサイズ（例: nm）。ボリュームと一緒に保存されます</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="209"/>
        <source>No image stack chosen.</source>
        <translation>画像スタックが選ばれていません。</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="209"/>
        <source>Choose the folder or file of the EM images first.</source>
        <translation>先に EM 画像のフォルダーかファイルを選んでください。</translation>
    </message>
    <message>
        <source>&lt;i&gt;The project&apos;s image and labels are replaced.&lt;/i&gt;</source>
        <translation>&lt;i&gt;プロジェクトの画像とラベルは置き換えられます。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>Choose the EM images (a folder of slices, a TIFF or file.h5:dataset).</source>
        <translation>EM 画像（スライスのフォルダー、TIFF、または file.h5:dataset）を選んでください。</translation>
    </message>
    <message>
        <source>Import &lt;b&gt;{0}&lt;/b&gt; ({1} voxels, {2}) as the project&apos;s image.</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt;（{1} ボクセル、{2}）をプロジェクトの画像としてインポートします。</translation>
    </message>
    <message>
        <source>Import &lt;b&gt;{0}&lt;/b&gt; ({1}) as its labels.</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt;（{1}）をそのラベルとしてインポートします。</translation>
    </message>
    <message>
        <source>Imported the images and labels into the project.</source>
        <translation>画像とラベルをプロジェクトにインポートしました。</translation>
    </message>
    <message>
        <source>Imported the images into the project.</source>
        <translation>画像をプロジェクトにインポートしました。</translation>
    </message>
    <message>
        <source>No labels: training needs them (import them later).</source>
        <translation>ラベルなし: 学習にはラベルが必要です（後からインポートできます）。</translation>
    </message>
    <message>
        <source>Reads {0} MB of images.</source>
        <translation>画像 {0} MB を読み込みます。</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>入力元</translation>
    </message>
    <message>
        <source>The images are in colour: tick &apos;Convert colour slices to gray&apos;.</source>
        <translation>画像がカラーです。「カラー（RGB）スライスをグレースケールに変換」をチェックしてください。</translation>
    </message>
    <message>
        <source>The images cannot be read (see the message in red).</source>
        <translation>画像を読み込めません（赤字のメッセージを参照）。</translation>
    </message>
    <message>
        <source>The labels cannot be read (see the message in red).</source>
        <translation>ラベルを読み込めません（赤字のメッセージを参照）。</translation>
    </message>
    <message>
        <source>The labels&apos; shape {0} differs from the images&apos; {1}.</source>
        <translation>ラベルの形状 {0} が画像の形状 {1} と異なります。</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>ボリューム</translation>
    </message>
    <message>
        <source>Voxel size (z, y, x): {0}</source>
        <translation>ボクセルサイズ (z, y, x): {0}</translation>
    </message>
    <message>
        <source>{0} voxels (z × y × x), {1} (e.g. nm)</source>
        <translation>{0} ボクセル（z × y × x）、{1}（例: nm）</translation>
    </message>
</context>
<context>
    <name>InferPage</name>
    <message>
        <location filename="../../app/pages/infer_page.py" line="72"/>
        <source>Draw</source>
        <translation>描画</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="80"/>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="215"/>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="105"/>
        <source>Checkpoint</source>
        <translation>チェックポイント</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="106"/>
        <source>Request</source>
        <translation>推論リクエスト</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="107"/>
        <source>Model args</source>
        <translation>モデル引数</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="108"/>
        <source>Box</source>
        <translation>範囲</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="109"/>
        <source>Run name</source>
        <translation>ラン名</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="110"/>
        <source>Options (empty: request&apos;s value or the default shown)</source>
        <translation>オプション（空欄: リクエストの値または表示中の既定値）</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="112"/>
        <source>seed policy</source>
        <translation>シードポリシー</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="119"/>
        <source>&lt;h3&gt;Segment with a trained model&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;学習済みモデルでセグメンテーション&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>Probability written at the seed before the first FOV evaluation (init_activation).</source>
        <translation>最初の FOV 評価の前にシードに書き込む確率（init_activation）。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>Probability the object mask is padded with (pad_value); must match the training seed_pad.</source>
        <translation>オブジェクトマスクの埋め値の確率（pad_value）。学習時の seed_pad と同じにしてください。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>The FOV moves to a face whose max probability is at least this (move_threshold); must match training&apos;s threshold.</source>
        <translation>最大確率がこの値以上の面へ FOV が移動します（move_threshold）。学習時のしきい値と同じにしてください。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>Voxels at or above this probability join the object (segment_threshold).</source>
        <translation>確率がこの値以上のボクセルがオブジェクトに含まれます（segment_threshold）。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>Objects with fewer voxels are discarded (min_segment_size).</source>
        <translation>これより少ないボクセル数のオブジェクトは破棄します（min_segment_size）。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>z,y,x: seeds closer than this to an existing object are skipped (min_boundary_dist).</source>
        <translation>z,y,x: 既存のオブジェクトにこれより近いシードはスキップします（min_boundary_dist）。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>Seconds between inference checkpoints, so a stopped or crashed run can resume (checkpoint_interval).</source>
        <translation>推論チェックポイントの間隔（秒）。停止・異常終了したランを再開できます（checkpoint_interval）。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>project image</source>
        <translation>画像から</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>Mean used to normalise the image; default: the request&apos;s image_mean, else the project image&apos;s mean.</source>
        <translation>画像の正規化に使う平均。既定: リクエストの image_mean、なければプロジェクト画像の平均。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="21"/>
        <source>Standard deviation used to normalise the image; default: the request&apos;s image_stddev, else the project image&apos;s.</source>
        <translation>画像の正規化に使う標準偏差。既定: リクエストの image_stddev、なければプロジェクト画像の値。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="54"/>
        <source>A checkpoint prefix (…/model.ckpt-7000000, ours or the reference TF1 one) or a training run folder (its latest)</source>
        <translation>チェックポイントのプレフィックス（…/model.ckpt-7000000、本アプリまたは参照実装 TF1 のもの）または学習ランのフォルダー（最新のものを使用）</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="59"/>
        <source>optional inference request (.pbtxt)</source>
        <translation>推論リクエスト（.pbtxt、任意）</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="60"/>
        <source>The reference&apos;s InferenceRequest text file: model_args, image mean/std, seed policy and options</source>
        <translation>参照実装の InferenceRequest テキストファイル: model_args、画像の平均/標準偏差、シードポリシーとオプション</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="63"/>
        <source>from the request, e.g. {&quot;depth&quot;: 9, &quot;fov_size&quot;: [33, 33, 17], &quot;deltas&quot;: [8, 8, 4]}</source>
        <translation>リクエストから。例: {&quot;depth&quot;: 9, &quot;fov_size&quot;: [33, 33, 17], &quot;deltas&quot;: [8, 8, 4]}</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="65"/>
        <source>Reference JSON model_args; fov_size and deltas are x, y, z</source>
        <translation>参照実装の JSON 形式の model_args。fov_size と deltas は x, y, z 順</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="68"/>
        <source>whole image; or z0:z1,y0:y1,x0:x1</source>
        <translation>画像全体、または z0:z1,y0:y1,x0:x1</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="69"/>
        <source>Box of the image to segment (voxels, stops exclusive); or press Draw and drag a rectangle in the viewer</source>
        <translation>セグメンテーションする画像のボックス（ボクセル単位、終点は含まない）。または「描画」を押してビューアで矩形をドラッグ</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="75"/>
        <source>Results go to &lt;project&gt;/inference/&lt;run&gt;/</source>
        <translation>結果は &lt;project&gt;/inference/&lt;run&gt;/ に保存されます</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="77"/>
        <source>(request&apos;s, else PolicyPeaks)</source>
        <translation>リクエスト値か PolicyPeaks</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="83"/>
        <source>Continue a stopped run from its last checkpoint</source>
        <translation>停止したランを最後のチェックポイントから再開</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="96"/>
        <source> Default: {0}.</source>
        <translation> 既定値: {0}。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="166"/>
        <source>Box: {0}</source>
        <translation>ボックス: {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="198"/>
        <source>No checkpoint chosen.</source>
        <translation>チェックポイントが選ばれていません。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="198"/>
        <source>Choose a training run or a checkpoint such as …/model.ckpt-7000000.</source>
        <translation>学習ラン、または …/model.ckpt-7000000 のようなチェックポイントを選んでください。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="212"/>
        <source>Inference run &apos;{0}&apos; already has results.</source>
        <translation>推論ラン「{0}」にはすでに結果があります。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="215"/>
        <source>Replace</source>
        <translation>置き換え</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="215"/>
        <source>New run</source>
        <translation>新しいラン</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="234"/>
        <source>objects: {0}  ·  voxels segmented: {1}  ·  FOV/s: {2}</source>
        <translation>オブジェクト: {0}  ·  セグメント済みボクセル: {1}  ·  FOV/秒: {2}</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="126"/>
        <source>Subvolume size (z,y,x)</source>
        <translation>サブボリュームのサイズ (z,y,x)</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="127"/>
        <source>whole box as one; e.g. {0}</source>
        <translation>全体で 1 つ。例: {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="130"/>
        <source>Cut the box into overlapping subvolumes of this size (at least the model&apos;s FOV), segment them on Dask workers and stitch them into one segmentation. Empty: the whole box is one subvolume.</source>
        <translation>ボックスをこのサイズ（モデルの FOV 以上）の重なり合うサブボリュームに分け、Dask のワーカーでセグメンテーションして 1 つのセグメンテーションにつなぎ合わせます。空欄: ボックス全体を 1 つのサブボリュームとします。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="137"/>
        <source>Overlap (z,y,x)</source>
        <translation>重なり (z,y,x)</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="138"/>
        <source>2 × (FOV − 1): {0} for the anisotropic model</source>
        <translation>2(FOV−1)、異方性 {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="141"/>
        <source>Voxels neighbouring subvolumes share; objects are matched across seams there.</source>
        <translation>隣り合うサブボリュームが共有するボクセル数。境界をまたぐオブジェクトはここで対応付けられます。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="146"/>
        <source>Workers</source>
        <translation>ワーカー数</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="147"/>
        <source>from the cores and memory</source>
        <translation>コア数とメモリから決定</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="150"/>
        <source>Worker processes of the Dask cluster started on this PC (not used with a scheduler address).</source>
        <translation>この PC で起動する Dask クラスタのワーカープロセス数（スケジューラのアドレスを指定したときは使いません）。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="156"/>
        <source>Threads per worker</source>
        <translation>ワーカーあたりのスレッド数</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="157"/>
        <source>the worker&apos;s share of the cores</source>
        <translation>ワーカーに割り当てたコア数</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="158"/>
        <source>Threads (subvolumes at a time) of each worker process.</source>
        <translation>各ワーカープロセスのスレッド数（同時に処理するサブボリュームの数）。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="162"/>
        <source>Scheduler address</source>
        <translation>スケジューラのアドレス</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="163"/>
        <source>this PC (127.0.0.1 only)</source>
        <translation>この PC（127.0.0.1 のみ）</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="166"/>
        <source>A running Dask cluster&apos;s scheduler, e.g. tcp://127.0.0.1:8786; reach a remote one through an SSH tunnel, never an open port. Empty: a cluster on this PC that listens on 127.0.0.1 only.</source>
        <translation>稼働中の Dask クラスタのスケジューラ（例: tcp://127.0.0.1:8786）。リモートのクラスタには SSH トンネルで接続し、ポートを外部に開けないでください。空欄: この PC 上に 127.0.0.1 だけで待ち受けるクラスタを起動します。</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="238"/>
        <source>The Dask dashboard of the running cluster</source>
        <translation>実行中のクラスタの Dask ダッシュボード</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="286"/>
        <source>Large volumes: subvolumes on Dask</source>
        <translation>大きなボリューム: Dask でサブボリュームに分けて処理</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="457"/>
        <source>Dask dashboard: {0}</source>
        <translation>Dask ダッシュボード: {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="487"/>
        <source>subvolumes done: {0} / {1}  ·  running: {2}  ·  failed: {3}  ·  FOV/s: {4}</source>
        <translation>完了したサブボリューム: {0} / {1}  ·  実行中: {2}  ·  失敗: {3}  ·  FOV/s: {4}</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="282"/>
        <source>Compute</source>
        <translation>計算</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="297"/>
        <source>Refine</source>
        <translation>仕上げ</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="227"/>
        <source>Fill empty space after the first pass</source>
        <translation>最初のパスの後に空き領域を埋める</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="229"/>
        <source>Grow each object into the empty voxels next to it, up to the membranes (a watershed on the image; seconds). The untouched first pass is kept as 'first_pass'. Single-box runs only; measured effect: README, Infer.</source>
        <translation>各オブジェクトを隣接する空きボクセルへ膜まで広げます（画像上の分水嶺、数秒）。元の最初のパスは「first_pass」として残ります。単一ボックスの実行のみ。測定結果は README の Infer を参照。</translation>
    </message>
    <message>
        <source>Agglomerate</source>
        <translation>凝集（統合）</translation>
    </message>
    <message>
        <source>Checkpoint: {0}</source>
        <translation>チェックポイント: {0}</translation>
    </message>
    <message>
        <source>Choose a checkpoint: a training run or a checkpoint file.</source>
        <translation>チェックポイントを選んでください: 学習ランまたはチェックポイントファイル。</translation>
    </message>
    <message>
        <source>Consensus of two passes</source>
        <translation>2 回のパスの合意</translation>
    </message>
    <message>
        <source>Disconnected-seed rule: when more than this fraction of a FOV reaches the move threshold, voxels the object has left are not taken again (disco_seed_threshold; negative: off).</source>
        <translation>非連結シード規則: FOV のうち移動しきい値に達した割合がこれを超えると、オブジェクトが離れたボクセルは再び取り込みません（disco_seed_threshold、負の値: 無効）。</translation>
    </message>
    <message>
        <source>Fill empty space</source>
        <translation>空き領域を埋める</translation>
    </message>
    <message>
        <source>In subvolumes of {0} (z,y,x) on Dask.</source>
        <translation>Dask 上で {0} (z,y,x) のサブボリュームに分けて処理します。</translation>
    </message>
    <message>
        <source>Inference request</source>
        <translation>推論リクエスト</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>オプション</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>進捗</translation>
    </message>
    <message>
        <source>Refine the first pass</source>
        <translation>最初のパスを仕上げる</translation>
    </message>
    <message>
        <source>Requests (*.pbtxt *.txt);;All files (*)</source>
        <translation>リクエスト (*.pbtxt *.txt);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Run &apos;{0}&apos; holds unfinished results without a checkpoint: Start asks whether to replace them or to write a new run.</source>
        <translation>ラン「{0}」にはチェックポイントのない未完了の結果があります。「開始」を押すと、置き換えるか新しいランに書き出すかを確認します。</translation>
    </message>
    <message>
        <source>Run &apos;{0}&apos; is complete: Start asks whether to replace it or to keep it and write a new run.</source>
        <translation>ラン「{0}」は完了しています。「開始」を押すと、置き換えるか、残して新しいランに書き出すかを確認します。</translation>
    </message>
    <message>
        <source>Run &apos;{0}&apos; was stopped before it finished: press Resume to continue it where it stopped.</source>
        <translation>ラン「{0}」は完了前に停止しました。「再開」を押すと停止した位置から続けます。</translation>
    </message>
    <message>
        <source>Segment {0} ({1} voxels, z × y × x) into inference/{2}/.</source>
        <translation>{0}（{1} ボクセル、z × y × x）をセグメンテーションし、inference/{2}/ に保存します。</translation>
    </message>
    <message>
        <source>Segmented into inference/{0}/. {1}</source>
        <translation>inference/{0}/ にセグメンテーションしました。{1}</translation>
    </message>
    <message>
        <source>The project has no image yet: import one first.</source>
        <translation>プロジェクトに画像がまだありません。先にインポートしてください。</translation>
    </message>
    <message>
        <source>The request file {0} does not exist.</source>
        <translation>リクエストファイル {0} が存在しません。</translation>
    </message>
    <message>
        <source>The untouched first pass is kept as &apos;first_pass&apos;.</source>
        <translation>手を加えていない最初のパスは「first_pass」として残ります。</translation>
    </message>
    <message>
        <source>Then refine: {0}.</source>
        <translation>その後の仕上げ: {0}。</translation>
    </message>
    <message>
        <source>checkpoint interval</source>
        <translation>保存間隔</translation>
    </message>
    <message>
        <source>default {0}</source>
        <translation>既定 {0}</translation>
    </message>
    <message>
        <source>disco seed threshold</source>
        <translation>非連結シード閾値</translation>
    </message>
    <message>
        <source>image mean</source>
        <translation>画像の平均</translation>
    </message>
    <message>
        <source>image std</source>
        <translation>画像の標準偏差</translation>
    </message>
    <message>
        <source>init activation</source>
        <translation>初期活性値</translation>
    </message>
    <message>
        <source>min boundary dist</source>
        <translation>境界との最小距離</translation>
    </message>
    <message>
        <source>min segment size</source>
        <translation>最小セグメント</translation>
    </message>
    <message>
        <source>move threshold</source>
        <translation>移動しきい値</translation>
    </message>
    <message>
        <source>pad value</source>
        <translation>パディング値</translation>
    </message>
    <message>
        <source>segment threshold</source>
        <translation>セグメントしきい値</translation>
    </message>
    <message>
        <source>the whole image</source>
        <translation>画像全体</translation>
    </message>
    <message>
        <source>Segmented into inference/{0}/.</source>
        <translation>inference/{0}/ にセグメンテーションしました。</translation>
    </message>
    <message>
        <source>Segment the volume a second time with the seeds in reverse order and split objects where the two passes disagree, which removes mergers (about doubles the time).</source>
        <translation>シードを逆順にしてボリュームをもう一度セグメンテーションし、2 回のパスが一致しない箇所でオブジェクトを分割して誤結合を取り除きます（時間はおよそ 2 倍）。</translation>
    </message>
    <message>
        <source>Grow each object into the empty voxels next to it, up to the membranes, so that less of the volume stays unsegmented.</source>
        <translation>各オブジェクトを隣接する空きボクセルへ膜の手前まで広げ、セグメンテーションされずに残る領域を減らします。</translation>
    </message>
    <message>
        <source>Merge two objects where the model, flooding the later one, spread over at least half of the earlier one (or half of its flood lies inside the earlier one).</source>
        <translation>後のオブジェクトを塗り広げたモデルが先のオブジェクトの半分以上に広がった場合（またはその塗り広げの半分以上が先のオブジェクトの内側にある場合）に、2 つのオブジェクトを結合します。</translation>
    </message>
    <message>
        <source>Runs on one box for now, not in subvolumes: empty the fields of &apos;Large volumes: subvolumes on Dask&apos; to use it.</source>
        <translation>今のところ 1 つのボックスでのみ実行でき、サブボリュームでは使えません。使うには「大きなボリューム: Dask でサブボリュームに分けて処理」の欄を空にしてください。</translation>
    </message>
</context>
<context>
    <name>InspectPanel</name>
    <message>
        <location filename="../../app/inspect/inspect_panel.py"/>
        <source>Refine</source>
        <translation>仕上げ</translation>
    </message>
    <message>
        <location filename="../../app/inspect/inspect_panel.py" line="42"/>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../app/inspect/inspect_panel.py" line="43"/>
        <source>Look for new inference runs and reload the chosen one</source>
        <translation>新しい推論ランを探し、選択中のランを再読み込みします</translation>
    </message>
    <message>
        <location filename="../../app/inspect/inspect_panel.py" line="50"/>
        <source>Inference run</source>
        <translation>推論ラン</translation>
    </message>
    <message>
        <location filename="../../app/inspect/inspect_panel.py" line="77"/>
        <source>No inference run in this project yet: run Infer first.</source>
        <translation>このプロジェクトにはまだ推論ランがありません。先に推論を実行してください。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/inspect_panel.py" line="85"/>
        <source>Segments</source>
        <translation>セグメント</translation>
    </message>
    <message>
        <location filename="../../app/inspect/inspect_panel.py" line="85"/>
        <source>Errors</source>
        <translation>エラー</translation>
    </message>
    <message>
        <location filename="../../app/inspect/inspect_panel.py" line="85"/>
        <source>Proofread</source>
        <translation>校正</translation>
    </message>
</context>
<context>
    <name>JobPanel</name>
    <message>
        <location filename="../../app/job_panel.py" line="66"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="13"/>
        <source>completed</source>
        <translation>完了</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="13"/>
        <source>stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="57"/>
        <source>No job running.</source>
        <translation>実行中のジョブはありません。</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="67"/>
        <source>Ask the job to save its state and stop</source>
        <translation>ジョブに状態を保存して停止するよう指示します</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="101"/>
        <source>Running: {0} ...</source>
        <translation>実行中: {0} ...</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="101"/>
        <source>job</source>
        <translation>ジョブ</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="128"/>
        <source>Failed: {0}</source>
        <translation>失敗: {0}</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="133"/>
        <source>Job {0}.</source>
        <translation>ジョブ{0}。</translation>
    </message>
    <message>
        <location filename="../../app/job_panel.py" line="107"/>
        <source>What the job computes on: backend, device, precision</source>
        <translation>ジョブの計算環境: バックエンド、デバイス、精度</translation>
    </message>
    <message>
        <source>ETA {0}</source>
        <translation>残り {0}</translation>
    </message>
    <message>
        <source>Time left at the rate of the work done so far</source>
        <translation>ここまでの処理速度で見積もった残り時間</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/main_window.py" line="34"/>
        <source>1  Import</source>
        <translation>1  インポート</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="34"/>
        <source>2  Preprocess</source>
        <translation>2  前処理</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="34"/>
        <source>3  Train</source>
        <translation>3  学習</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="34"/>
        <source>4  Infer</source>
        <translation>4  推論</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="34"/>
        <source>5  Export</source>
        <translation>5  エクスポート</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="115"/>
        <source>Job</source>
        <translation>ジョブ</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="124"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="125"/>
        <source>&amp;New project...</source>
        <translation>新規プロジェクト(&amp;N)...</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="127"/>
        <source>&amp;Open project...</source>
        <translation>プロジェクトを開く(&amp;O)...</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="129"/>
        <source>Try the &amp;demo...</source>
        <translation>デモを試す(&amp;D)...</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="130"/>
        <source>Recent projects</source>
        <translation>最近使ったプロジェクト</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="133"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="134"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="135"/>
        <source>Python &amp;console</source>
        <translation>Python コンソール(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="136"/>
        <source>&amp;Inspect runs</source>
        <translation>推論結果の確認(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="137"/>
        <source>&amp;Settings</source>
        <translation>設定(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="138"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="139"/>
        <source>&amp;About and diagnostics...</source>
        <translation>バージョン情報と診断(&amp;A)...</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="143"/>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="160"/>
        <source>The language changes when FFN Workbench starts next time.</source>
        <translation>表示言語は FFN Workbench の次回起動時に切り替わります。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="170"/>
        <source>The engine cannot start: {0}</source>
        <translation>エンジンを起動できません: {0}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="191"/>
        <source>Inspect</source>
        <translation>結果の確認</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="215"/>
        <source>Console</source>
        <translation>コンソール</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="237"/>
        <source>Folder for the new project</source>
        <translation>新規プロジェクトのフォルダー</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="242"/>
        <source>Open project folder</source>
        <translation>プロジェクトフォルダーを開く</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="247"/>
        <source>Folder for the demo project</source>
        <translation>デモプロジェクトのフォルダー</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="265"/>
        <source>Demo data written: press Import to bring it into the project, then go through the stages.</source>
        <translation>デモデータを作成しました。「インポート」を押してプロジェクトに取り込み、各ステージを順に進めてください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="272"/>
        <source>A job is running.</source>
        <translation>ジョブを実行中です。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="272"/>
        <source>Stop it before switching projects.</source>
        <translation>プロジェクトを切り替える前にジョブを停止してください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="316"/>
        <source>Project: {0}</source>
        <translation>プロジェクト: {0}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="316"/>
        <source>Create a project (File › New project) or open one to begin.</source>
        <translation>まずプロジェクトを作成する（ファイル › 新規プロジェクト）か、既存のプロジェクトを開いてください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="343"/>
        <source>No project is open.</source>
        <translation>プロジェクトが開かれていません。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="343"/>
        <source>Create or open a project first.</source>
        <translation>先にプロジェクトを作成するか開いてください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="347"/>
        <source>A job is already running.</source>
        <translation>別のジョブが実行中です。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="347"/>
        <source>Wait for it or press Stop.</source>
        <translation>終了を待つか「停止」を押してください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="281"/>
        <source>Cannot use {0}: {1}.</source>
        <translation>{0} を使えません: {1}。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="281"/>
        <source>Choose a folder you can write to.</source>
        <translation>書き込み可能なフォルダーを選んでください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="356"/>
        <source>Cannot write the job file: {0}.</source>
        <translation>ジョブファイルを書き込めません: {0}。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="357"/>
        <source>Check that the project folder is writable.</source>
        <translation>プロジェクトフォルダーに書き込めるか確認してください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="311"/>
        <source>(none)</source>
        <translation>（なし）</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="314"/>
        <source>no project</source>
        <translation>プロジェクトなし</translation>
    </message>
    <message>
        <source>Folder for the new project (empty or new)</source>
        <translation>新規プロジェクトのフォルダー（空または新規）</translation>
    </message>
    <message>
        <source>Open it instead of creating a new one?</source>
        <translation>新しく作成する代わりに、このプロジェクトを開きますか？</translation>
    </message>
    <message>
        <source>{0} already holds a project.</source>
        <translation>{0} にはすでにプロジェクトがあります。</translation>
    </message>
    <message>
        <source>{0} is not empty: a new project needs an empty or new folder.</source>
        <translation>{0} は空ではありません。新規プロジェクトには空のフォルダーか新しいフォルダーが必要です。</translation>
    </message>
    <message>
        <source>Choose an empty folder, or type the name of a new one.</source>
        <translation>空のフォルダーを選ぶか、新しいフォルダー名を入力してください。</translation>
    </message>
</context>
<context>
    <name>PathRow</name>
    <message>
        <location filename="../../app/pages/forms.py" line="34"/>
        <source>Browse...</source>
        <translation>参照...</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="60"/>
        <source>Checkpoint</source>
        <translation>チェックポイント</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="62"/>
        <source>Checkpoints</source>
        <translation>チェックポイント</translation>
    </message>
</context>
<context>
    <name>PreprocessPage</name>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="45"/>
        <source>Compute partitions and coordinates</source>
        <translation>パーティションと座標を計算</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="54"/>
        <source>Model preset</source>
        <translation>モデルのプリセット</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="55"/>
        <source>Thresholds</source>
        <translation>しきい値</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="56"/>
        <source>lom radius (x,y,z)</source>
        <translation>LOM 半径 (x,y,z)</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="57"/>
        <source>min size</source>
        <translation>最小サイズ</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="58"/>
        <source>Margin (z,y,x)</source>
        <translation>マージン (z,y,x)</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="59"/>
        <source>Seed</source>
        <translation>乱数シード</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="61"/>
        <source>&lt;h3&gt;Prepare training data&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;学習データの準備&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="26"/>
        <source>Increasing fractions of same-ID voxels in the window around a voxel; they split voxels into partition classes that training samples equally often</source>
        <translation>ボクセル周囲のウィンドウ内で同じ ID を持つボクセルの割合（昇順）。これでボクセルをパーティションクラスに分け、学習では各クラスを同じ頻度でサンプリングします</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="30"/>
        <source>Window radius x,y,z of the partition; the reference advises fov_size // 2 + deltas of the model (filled in from the preset)</source>
        <translation>パーティションのウィンドウ半径 x,y,z。参照実装の推奨はモデルの fov_size // 2 + deltas（プリセットから入力されます）</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="36"/>
        <source>Label IDs with fewer voxels are treated as background</source>
        <translation>これより少ないボクセル数のラベル ID は背景として扱います</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="38"/>
        <source>= lom radius (z,y,x)</source>
        <translation>= lom 半径 (z,y,x)</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="39"/>
        <source>z,y,x: no training coordinate closer than this to the border</source>
        <translation>z,y,x: 境界からこれより近い学習座標は作りません</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="43"/>
        <source>Random seed of the balanced sampling (same seed, same coordinates)</source>
        <translation>バランスサンプリングの乱数シード（同じシードなら同じ座標）</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="82"/>
        <source>The project has no labels volume.</source>
        <translation>プロジェクトにラベルボリュームがありません。</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="82"/>
        <source>Import a label stack on the Import page first.</source>
        <translation>先にインポートページでラベルスタックをインポートしてください。</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="94"/>
        <source>{0} training coordinates written to {1}.</source>
        <translation>学習座標 {0} 個を {1} に書き込みました。</translation>
    </message>
    <message>
        <source>Partition</source>
        <translation>パーティション</translation>
    </message>
    <message>
        <source>Partition the labels ({0} voxels) with lom radius (x,y,z) {1}.</source>
        <translation>ラベル（{0} ボクセル）を LOM 半径 (x,y,z) {1} でパーティション分割します。</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>プリセット</translation>
    </message>
    <message>
        <source>Sample balanced training coordinates (seed {0}).</source>
        <translation>バランスを取った学習座標をサンプリングします（シード {0}）。</translation>
    </message>
    <message>
        <source>The project has no labels yet: import a label stack first.</source>
        <translation>プロジェクトにラベルがまだありません。先にラベルスタックをインポートしてください。</translation>
    </message>
    <message>
        <source>Thresholds {0}; label IDs under {1} voxels are background.</source>
        <translation>しきい値 {0}。{1} ボクセル未満のラベル ID は背景です。</translation>
    </message>
</context>
<context>
    <name>PresetBox</name>
    <message>
        <location filename="../../app/pages/forms.py" line="58"/>
        <source>anisotropic: z steps 2-4x the xy pixel size (SNEMI3D); isotropic: FIB-SEM-like data</source>
        <translation>anisotropic: z 間隔が xy ピクセルサイズの 2〜4 倍（SNEMI3D）、isotropic: FIB-SEM のようなデータ</translation>
    </message>
    <message>
        <location filename="../../app/pages/forms.py" line="63"/>
        <source>The model_args the stage will use, as the reference writes them: fov_size and deltas in x, y, z</source>
        <translation>このステージが使う model_args（参照実装の書式: fov_size と deltas は x, y, z 順）</translation>
    </message>
</context>
<context>
    <name>ProofreadPanel</name>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="35"/>
        <source>merge {0} → {1}</source>
        <translation>結合 {0} → {1}</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="37"/>
        <source>delete {0}</source>
        <translation>削除 {0}</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="38"/>
        <source>relabel {0} → {1}</source>
        <translation>ID 変更 {0} → {1}</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="57"/>
        <source>select in the table or pick on the layer, e.g. 12, 15</source>
        <translation>表で選択するかレイヤー上でクリック。例: 12, 15</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="61"/>
        <source>Merge</source>
        <translation>結合</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="62"/>
        <source>All listed segments become the first one</source>
        <translation>列挙したセグメントをすべて最初のセグメントにまとめます</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="63"/>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="64"/>
        <source>Relabel to</source>
        <translation>ID を変更</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="65"/>
        <source>Undo</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="74"/>
        <source>Segments</source>
        <translation>セグメント</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="84"/>
        <source>Edits of run &lt;b&gt;{0}&lt;/b&gt; (the inference output is kept unchanged):</source>
        <translation>ラン &lt;b&gt;{0}&lt;/b&gt; の編集（推論結果そのものは変更されません）:</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="96"/>
        <source>Merging needs two or more segments.</source>
        <translation>結合には 2 つ以上のセグメントが必要です。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="103"/>
        <source>List the segments to delete.</source>
        <translation>削除するセグメントを入力してください。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="110"/>
        <source>Relabelling takes exactly one segment.</source>
        <translation>ID の変更はセグメント 1 つだけに行えます。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="112"/>
        <source>Segment {0} already has that id.</source>
        <translation>セグメント {0} はすでにその ID です。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="118"/>
        <source>Undone: {0}.</source>
        <translation>元に戻しました: {0}。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="118"/>
        <source>Nothing to undo.</source>
        <translation>元に戻す操作はありません。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="125"/>
        <source>No segment {0} in this run.</source>
        <translation>このランにセグメント {0} はありません。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/proofread_panel.py" line="128"/>
        <source>Done: {0}.</source>
        <translation>完了: {0}。</translation>
    </message>
</context>
<context>
    <name>SegmentTableModel</name>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="20"/>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="20"/>
        <source>Voxels</source>
        <translation>ボクセル数</translation>
    </message>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="20"/>
        <source>Bounding box z, y, x</source>
        <translation>バウンディングボックス z, y, x</translation>
    </message>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="20"/>
        <source>Seed z, y, x</source>
        <translation>シード z, y, x</translation>
    </message>
</context>
<context>
    <name>SegmentTablePanel</name>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="112"/>
        <source> voxels</source>
        <translation> ボクセル</translation>
    </message>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="115"/>
        <source>Show only selected segments</source>
        <translation>選択したセグメントだけを表示</translation>
    </message>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="128"/>
        <source>Hide segments below</source>
        <translation>次より小さいセグメントを隠す</translation>
    </message>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="144"/>
        <source> ({0} hidden below {1} voxels)</source>
        <translation>（{0} 個を非表示: {1} ボクセル未満）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/segment_table.py" line="146"/>
        <source>&lt;b&gt;{0}&lt;/b&gt;: {1} segments{2}</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt;: {1} セグメント{2}</translation>
    </message>
</context>
<context>
    <name>SourcePicker</name>
    <message>
        <location filename="../../app/pages/import_page.py" line="48"/>
        <source>Folder...</source>
        <translation>フォルダー...</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="48"/>
        <source>File...</source>
        <translation>ファイル...</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="44"/>
        <source>A folder of PNG/TIFF slices (sorted naturally: 2.png before 10.png), a multi-page TIFF, or an HDF5 dataset as file.h5:dataset</source>
        <translation>PNG/TIFF スライスのフォルダー（自然順: 2.png は 10.png より前）、マルチページ TIFF、または file.h5:dataset 形式の HDF5 データセット</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="65"/>
        <source>Folder of slices</source>
        <translation>スライスのフォルダー</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="70"/>
        <source>Stack file</source>
        <translation>スタックファイル</translation>
    </message>
</context>
<context>
    <name>SourcePreview</name>
    <message>
        <location filename="../../app/pages/import_page.py" line="99"/>
        <source>Nothing chosen.</source>
        <translation>未選択です。</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="113"/>
        <source>, {0} channels</source>
        <translation>、{0} チャンネル</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="114"/>
        <source>&lt;b&gt;{0}&lt;/b&gt;: {1} slices</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt;: {1} スライス</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="115"/>
        <source>shape (z, y, x): {0}</source>
        <translation>形状 (z, y, x): {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="116"/>
        <source>dtype: {0}</source>
        <translation>データ型: {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="117"/>
        <source>order: {0}</source>
        <translation>順序: {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="119"/>
        <source>&lt;i&gt;Colour slices: tick &apos;Convert colour slices to gray&apos; to import.&lt;/i&gt;</source>
        <translation>&lt;i&gt;カラースライスです。インポートするには「カラー（RGB）スライスをグレースケールに変換」をチェックしてください。&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="122"/>
        <source>&lt;i&gt;skipped: {0}&lt;/i&gt;</source>
        <translation>&lt;i&gt;スキップ: {0}&lt;/i&gt;</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <location filename="../../app/pages/train_page.py" line="56"/>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="58"/>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="62"/>
        <source>Open in TensorBoard</source>
        <translation>TensorBoard で開く</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="90"/>
        <source>Run</source>
        <translation>ラン名</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="91"/>
        <source>Model preset</source>
        <translation>モデルのプリセット</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="92"/>
        <source>Model args</source>
        <translation>モデル引数</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="93"/>
        <source>Max steps</source>
        <translation>最大ステップ数</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="94"/>
        <source>Batch size</source>
        <translation>バッチサイズ</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="95"/>
        <source>Optimizer</source>
        <translation>オプティマイザー</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="96"/>
        <source>Learning rate</source>
        <translation>学習率</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="53"/>
        <source>optional, e.g. 0.5</source>
        <translation>任意（例: 0.5）</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="54"/>
        <source>Multiply the learning rate by this factor every &apos;decay every&apos; steps; empty: constant</source>
        <translation>「減衰間隔」ステップごとに学習率にこの係数を掛けます。空欄: 一定</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="57"/>
        <source>optional, e.g. 2000</source>
        <translation>任意（例: 2000）</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="103"/>
        <source>Learning-rate decay factor</source>
        <translation>学習率の減衰係数</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="104"/>
        <source>Decay every (steps)</source>
        <translation>減衰間隔（ステップ）</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="97"/>
        <source>Summary every (s)</source>
        <translation>サマリー間隔（秒）</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="98"/>
        <source>Init checkpoint</source>
        <translation>初期チェックポイント</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="106"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="107"/>
        <source>Progress</source>
        <translation>進捗</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="112"/>
        <source>&lt;h3&gt;Train a model&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;モデルの学習&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="35"/>
        <source>runs/&lt;name&gt;/; an existing run continues from its latest checkpoint</source>
        <translation>runs/&lt;name&gt;/。既存のランは最新のチェックポイントから続行します</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="40"/>
        <source>optional: reference JSON, overrides the preset</source>
        <translation>任意: 参照実装の JSON（プリセットより優先）</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="42"/>
        <source>e.g. {&quot;depth&quot;: 9, &quot;fov_size&quot;: [33, 33, 17], &quot;deltas&quot;: [8, 8, 4]} with fov_size and deltas in x, y, z</source>
        <translation>例: {&quot;depth&quot;: 9, &quot;fov_size&quot;: [33, 33, 17], &quot;deltas&quot;: [8, 8, 4]}（fov_size と deltas は x, y, z 順）</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="48"/>
        <source>sgd as the reference (gradients clipped at 0.7); adam converges faster on small data</source>
        <translation>sgd は参照実装と同じ（勾配を 0.7 でクリップ）、adam は小さなデータで速く収束します</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="55"/>
        <source>optional: fine-tune from a checkpoint</source>
        <translation>任意: 微調整元のチェックポイント</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="59"/>
        <source>Continue the run from its latest checkpoint, up to max steps</source>
        <translation>最新のチェックポイントから最大ステップ数まで学習を続行</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="71"/>
        <source>Latest finished example: label | prediction, xy/xz/yz planes</source>
        <translation>最新の完了例: ラベル | 予測、xy/xz/yz 断面</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="149"/>
        <source>The project has no training coordinates.</source>
        <translation>プロジェクトに学習座標がありません。</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="149"/>
        <source>Run the Preprocess page first.</source>
        <translation>先に前処理ページを実行してください。</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="168"/>
        <source>step {0} / {1}</source>
        <translation>ステップ {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="171"/>
        <source>  ·  {0} steps/s</source>
        <translation>  ·  {0} ステップ/秒</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="172"/>
        <source>  ·  ETA {0}</source>
        <translation>  ·  残り {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="174"/>
        <source>  ·  model busy {0}</source>
        <translation>  ·  モデル稼働率 {0}</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="149"/>
        <source>Compute</source>
        <translation>計算</translation>
    </message>
    <message>
        <source>A tiny model (depth 4, FOV 17×17×9) that trains in minutes on a CPU: the demo, small volumes, a first try.</source>
        <translation>CPU でも数分で学習できる小さなモデル（深さ 4、FOV 17×17×9）: デモ、小さなボリューム、最初の試しに。</translation>
    </message>
    <message>
        <source>Batch {0}, {1}, learning rate {2}.</source>
        <translation>バッチ {0}、{1}、学習率 {2}。</translation>
    </message>
    <message>
        <source>Continue run &apos;{0}&apos; from step {1} up to step {2}.</source>
        <translation>ラン「{0}」をステップ {1} からステップ {2} まで続けます。</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>データ</translation>
    </message>
    <message>
        <source>Go to the {0} page.</source>
        <translation>{0}ページへ移動します。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Model: {0}.</source>
        <translation>モデル: {0}。</translation>
    </message>
    <message>
        <source>No project is open.</source>
        <translation>プロジェクトが開かれていません。</translation>
    </message>
    <message>
        <source>Run &apos;{0}&apos; has checkpoints (step {1}): press Resume to continue it with its own settings up to max steps.</source>
        <translation>ラン「{0}」にはチェックポイント（ステップ {1}）があります。「再開」を押すと、そのランの設定のまま最大ステップ数まで続けます。</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>スケジュール</translation>
    </message>
    <message>
        <source>Sets the model and the schedule to settings that fit together</source>
        <translation>モデルとスケジュールを互いに合う設定にします</translation>
    </message>
    <message>
        <source>Settings of your own.</source>
        <translation>独自の設定。</translation>
    </message>
    <message>
        <source>Stage preset</source>
        <translation>ステージのプリセット</translation>
    </message>
    <message>
        <source>Suggested for this volume.</source>
        <translation>このボリュームに推奨。</translation>
    </message>
    <message>
        <source>The project has no training coordinates: run Preprocess first.</source>
        <translation>プロジェクトに学習座標がありません。先に前処理を実行してください。</translation>
    </message>
    <message>
        <source>The reference&apos;s anisotropic model (depth 9, FOV 33×33×17) with its settings: serial-section EM such as SNEMI3D; hours on a CPU, meant for a GPU.</source>
        <translation>参照実装の異方性モデル（深さ 9、FOV 33×33×17）とその設定: SNEMI3D のような連続切片 EM 向け。CPU では数時間かかります。GPU 向けです。</translation>
    </message>
    <message>
        <source>The reference&apos;s isotropic model (depth 12, FOV 33×33×33): FIB-SEM-like data; hours on a CPU, meant for a GPU.</source>
        <translation>参照実装の等方性モデル（深さ 12、FOV 33×33×33）: FIB-SEM のようなデータ向け。CPU では数時間かかります。GPU 向けです。</translation>
    </message>
    <message>
        <source>Train run &apos;{0}&apos; for {1} steps.</source>
        <translation>ラン「{0}」を {1} ステップ学習します。</translation>
    </message>
    <message>
        <source>Trained run &apos;{0}&apos;: its checkpoints are in runs/{0}/.</source>
        <translation>ラン「{0}」を学習しました。チェックポイントは runs/{0}/ にあります。</translation>
    </message>
    <message>
        <source>Training needs an image and its labels: import them first.</source>
        <translation>学習には画像とそのラベルが必要です。先にインポートしてください。</translation>
    </message>
    <message>
        <source>Trains: {0}.</source>
        <translation>学習するモデル: {0}。</translation>
    </message>
    <message>
        <source>depth {0}, FOV {1} (z,y,x), {2} features</source>
        <translation>深さ {0}、FOV {1} (z,y,x)、特徴数 {2}</translation>
    </message>
    <message>
        <source>image {0} voxels (z × y × x), voxel size {1} (z, y, x), with labels</source>
        <translation>画像 {0} ボクセル（z × y × x）、ボクセルサイズ {1} (z, y, x)、ラベルあり</translation>
    </message>
    <message>
        <source>isotropic</source>
        <translation>等方性</translation>
    </message>
    <message>
        <source>quick (demo)</source>
        <translation>クイック（デモ）</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>参照実装</translation>
    </message>
    <message>
        <source>step {0}</source>
        <translation>ステップ {0}</translation>
    </message>
    <message>
        <source>Train until this step</source>
        <translation>このステップまで学習します</translation>
    </message>
    <message>
        <source>FOVs per training step</source>
        <translation>学習 1 ステップあたりの FOV 数</translation>
    </message>
    <message>
        <source>Seconds between eval summaries, F1 points and preview images</source>
        <translation>評価サマリー、F1 の点、プレビュー画像を書き出す間隔（秒）</translation>
    </message>
    <message>
        <source>Run &apos;{0}&apos; has checkpoints (step {1}): press Resume to continue it with its own settings up to max steps, or Start to continue it with the settings above.</source>
        <translation>ラン「{0}」にはチェックポイント（ステップ {1}）があります。「再開」を押すとそのランの設定のまま最大ステップ数まで続け、「開始」を押すと上の設定で続けます。</translation>
    </message>
</context>
<context>
    <name>TrainingPlot</name>
    <message>
        <location filename="../../app/plots.py" line="74"/>
        <source>loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <location filename="../../app/plots.py" line="75"/>
        <source>eval F1</source>
        <translation>評価 F1</translation>
    </message>
    <message>
        <location filename="../../app/plots.py" line="77"/>
        <source>step</source>
        <translation>ステップ</translation>
    </message>
</context>
<context>
    <name>View3DPanel</name>
    <message>
        <location filename="../../app/inspect/view3d.py" line="25"/>
        <source>Labels</source>
        <translation>ラベル</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="25"/>
        <source>Surfaces</source>
        <translation>サーフェス</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="56"/>
        <source>Follow selection</source>
        <translation>選択に追従</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="64"/>
        <source>Export mesh…</source>
        <translation>メッシュをエクスポート…</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="66"/>
        <source>Select segments in the table to see them in 3D.</source>
        <translation>表でセグメントを選ぶと 3D で表示されます。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="101"/>
        <source>No segment selected.</source>
        <translation>セグメントが選択されていません。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="112"/>
        <source>Segments {0} ({1}).</source>
        <translation>セグメント {0}（{1}）。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="136"/>
        <source>Wrote {0} mesh file(s) to {1}.</source>
        <translation>メッシュファイル {0} 個を {1} に書き出しました。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="141"/>
        <source>Select segments first.</source>
        <translation>先にセグメントを選んでください。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/view3d.py" line="145"/>
        <source>Folder for the mesh files</source>
        <translation>メッシュファイルの保存先フォルダー</translation>
    </message>
</context>
<context>
    <name>WelcomeWidget</name>
    <message>
        <location filename="../../app/welcome.py" line="50"/>
        <source>&lt;h1&gt;FFN Workbench&lt;/h1&gt;&lt;p&gt;Segment neurons in 3D electron microscopy with Flood-Filling Networks.&lt;/p&gt;</source>
        <translation>&lt;h1&gt;FFN Workbench&lt;/h1&gt;&lt;p&gt;Flood-Filling Network で 3 次元電子顕微鏡画像の神経細胞をセグメンテーションします。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="62"/>
        <source>New project…</source>
        <translation>新規プロジェクト…</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="62"/>
        <source>Start from your own image stack.</source>
        <translation>手持ちの画像スタックから始めます。</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="62"/>
        <source>Open project…</source>
        <translation>プロジェクトを開く…</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="62"/>
        <source>Continue with a project folder.</source>
        <translation>既存のプロジェクトフォルダーで作業を続けます。</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="62"/>
        <source>Try the demo</source>
        <translation>デモを試す</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="62"/>
        <source>A small synthetic volume with known neurons: the whole pipeline in minutes.</source>
        <translation>正解の神経細胞が分かっている小さな合成ボリュームで、全工程を数分で試せます。</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="91"/>
        <source>&lt;b&gt;Recent projects&lt;/b&gt; (double-click to open)</source>
        <translation>&lt;b&gt;最近使ったプロジェクト&lt;/b&gt;（ダブルクリックで開く）</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="99"/>
        <source>{0}  (missing)</source>
        <translation>{0}  （見つかりません）</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="106"/>
        <source>No recent projects yet.</source>
        <translation>最近使ったプロジェクトはまだありません。</translation>
    </message>
    <message>
        <location filename="../../app/welcome.py" line="117"/>
        <source>Open project folder</source>
        <translation>プロジェクトフォルダーを開く</translation>
    </message>
</context>
<context>
    <name>StagePresetBox</name>
    <message>
        <source>Import an image to get a suggestion.</source>
        <translation>画像をインポートすると推奨が表示されます。</translation>
    </message>
    <message>
        <source>Model and settings that fit together, fastest first</source>
        <translation>互いに合うモデルと設定（速い順）</translation>
    </message>
    <message>
        <source>Suggested for this image ({0} voxels): &lt;b&gt;{1}&lt;/b&gt;</source>
        <translation>この画像（{0} ボクセル）の推奨: &lt;b&gt;{1}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>The headless demo&apos;s tiny model and settings: the whole pipeline on a small volume in minutes on a CPU.</source>
        <translation>ヘッドレスデモの小さなモデルと設定: 小さなボリュームなら CPU でもパイプライン全体が数分で終わります。</translation>
    </message>
    <message>
        <source>The reference-sized model and settings for serial-section EM (z steps 2-5x the pixel size, e.g. SNEMI3D): hours on a CPU, meant for a GPU.</source>
        <translation>連続切片 EM（z 間隔がピクセルサイズの 2〜5 倍、例: SNEMI3D）向けの参照実装サイズのモデルと設定: CPU では数時間かかります。GPU 向けです。</translation>
    </message>
    <message>
        <source>The reference-sized model for isotropic data (FIB-SEM): hours on a CPU, meant for a GPU.</source>
        <translation>等方性データ（FIB-SEM）向けの参照実装サイズのモデル: CPU では数時間かかります。GPU 向けです。</translation>
    </message>
    <message>
        <source>quick (demo)</source>
        <translation>クイック（デモ）</translation>
    </message>
    <message>
        <source>reference (anisotropic)</source>
        <translation>参照実装（異方性）</translation>
    </message>
    <message>
        <source>reference (isotropic)</source>
        <translation>参照実装（等方性）</translation>
    </message>
</context>
<context>
    <name>Wizard</name>
    <message>
        <source> (at {0} {1}{2})</source>
        <translation>（{0} {1}{2}）</translation>
    </message>
    <message>
        <source>, measured in this project</source>
        <translation>、このプロジェクトでの実測</translation>
    </message>
    <message>
        <source>, typical of a 2-core CPU</source>
        <translation>、2 コア CPU の目安</translation>
    </message>
    <message>
        <source>A job is running.</source>
        <translation>ジョブを実行中です。</translation>
    </message>
    <message>
        <source>Expected run time: about {0}</source>
        <translation>予想実行時間: 約 {0}</translation>
    </message>
    <message>
        <source>Expected run time: —</source>
        <translation>予想実行時間: —</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <source>Go to {0}</source>
        <translation>{0}へ</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>インポート</translation>
    </message>
    <message>
        <source>Infer</source>
        <translation>推論</translation>
    </message>
    <message>
        <source>Next stage: {0} →</source>
        <translation>次のステージ: {0} →</translation>
    </message>
    <message>
        <source>Next →</source>
        <translation>次へ →</translation>
    </message>
    <message>
        <source>Preprocess</source>
        <translation>前処理</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>確認</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <source>← Back</source>
        <translation>← 戻る</translation>
    </message>
</context>
<context>
    <name>ResumeOffer</name>
    <message>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
</context>
<context>
    <name>Engine</name>
    <message>
        <source>No model checkpoint is given.</source>
        <translation>モデルのチェックポイントが指定されていません。</translation>
    </message>
    <message>
        <source>Choose a checkpoint such as .../model.ckpt-7000000 or a run folder.</source>
        <translation>.../model.ckpt-7000000 のようなチェックポイントか、ランのフォルダーを選んでください。</translation>
    </message>
    <message>
        <source>Choose an empty folder, or type the name of a new one, for the project.</source>
        <translation>プロジェクトには空のフォルダーを選ぶか、新しいフォルダー名を入力してください。</translation>
    </message>
    <message>
        <source>Choose the project folder, or create a new project.</source>
        <translation>プロジェクトフォルダーを選ぶか、新しいプロジェクトを作成してください。</translation>
    </message>
    <message>
        <source>Open it instead of creating it.</source>
        <translation>作成する代わりに開いてください。</translation>
    </message>
    <message>
        <source>Restore project.json from a backup or create a new project.</source>
        <translation>project.json をバックアップから戻すか、新しいプロジェクトを作成してください。</translation>
    </message>
    <message>
        <source>Run the import stage first.</source>
        <translation>先にインポートを実行してください。</translation>
    </message>
    <message>
        <source>This file was not written by FFN Workbench.</source>
        <translation>このファイルは FFN Workbench が書いたものではありません。</translation>
    </message>
    <message>
        <source>Update FFN Workbench to open this project.</source>
        <translation>このプロジェクトを開くには FFN Workbench を更新してください。</translation>
    </message>
    <message>
        <source>No image stack given.</source>
        <translation>画像スタックが指定されていません。</translation>
    </message>
    <message>
        <source>Give a folder of PNG/TIFF slices, a multi-page TIFF or file.h5:dataset.</source>
        <translation>PNG/TIFF スライスのフォルダー、マルチページ TIFF、または file.h5:dataset を指定してください。</translation>
    </message>
    <message>
        <source>No inference run given to export.</source>
        <translation>エクスポートする推論ランが指定されていません。</translation>
    </message>
    <message>
        <source>Name the run, e.g. run1.</source>
        <translation>ラン名を指定してください（例: run1）。</translation>
    </message>
    <message>
        <source>Run inference again.</source>
        <translation>推論をもう一度実行してください。</translation>
    </message>
    <message>
        <source>Choose a larger box or volume; every side must hold one FOV.</source>
        <translation>より大きなボックスかボリュームを選んでください。各辺に FOV が 1 つ収まる必要があります。</translation>
    </message>
    <message>
        <source>Give a plain name such as default or snemi-2.</source>
        <translation>default や snemi-2 のような単純な名前を指定してください。</translation>
    </message>
    <message>
        <source>Import a grey-value image stack.</source>
        <translation>グレー値の画像スタックをインポートしてください。</translation>
    </message>
    <message>
        <source>The consensus step runs on one box for now, not in subvolumes; fill works in subvolumes.</source>
        <translation>合意のステップは今のところ 1 つのボックスでのみ実行でき、サブボリュームでは使えません。空き領域の埋め込みはサブボリュームでも使えます。</translation>
    </message>
    <message>
        <source>Untick &apos;Consensus of two passes&apos; for runs in subvolumes, or segment the box as one (the fields of &apos;Large volumes: subvolumes on Dask&apos; empty).</source>
        <translation>サブボリュームに分けるランでは「2 回のパスの合意」のチェックを外すか、ボックスを 1 つのまま処理してください（「大きなボリューム: Dask でサブボリュームに分けて処理」の欄を空にします）。</translation>
    </message>
    <message>
        <source>An overlap is given without a subvolume size.</source>
        <translation>サブボリュームのサイズなしで重なりが指定されています。</translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation>パスを確認してください。</translation>
    </message>
    <message>
        <source>Give 0 or a positive number of voxels.</source>
        <translation>0 または正のボクセル数を指定してください。</translation>
    </message>
    <message>
        <source>Import image and labels of the same size.</source>
        <translation>同じサイズの画像とラベルをインポートしてください。</translation>
    </message>
    <message>
        <source>Give three start:stop ranges with start &lt; stop, e.g. 0:100,0:256,0:256.</source>
        <translation>start &lt; stop となる start:stop の範囲を 3 つ指定してください（例: 0:100,0:256,0:256）。</translation>
    </message>
    <message>
        <source>Use letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos; (e.g. stack2).</source>
        <translation>英字、数字、&apos;-&apos;、&apos;_&apos;、&apos;.&apos; を使ってください（例: stack2）。</translation>
    </message>
    <message>
        <source>Give each volume once, e.g. main,stack2.</source>
        <translation>各ボリュームを 1 回ずつ指定してください（例: main,stack2）。</translation>
    </message>
    <message>
        <source>Choose one of them.</source>
        <translation>いずれかを選んでください。</translation>
    </message>
    <message>
        <source>Give 1 or more.</source>
        <translation>1 以上を指定してください。</translation>
    </message>
    <message>
        <source>import</source>
        <translation>インポート</translation>
    </message>
    <message>
        <source>preprocess</source>
        <translation>前処理</translation>
    </message>
    <message>
        <source>train</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>infer</source>
        <translation>推論</translation>
    </message>
    <message>
        <source>export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <source>evaluate</source>
        <translation>評価</translation>
    </message>
    <message>
        <source>env</source>
        <translation>環境確認</translation>
    </message>
    <message>
        <source>slices</source>
        <translation>スライス</translation>
    </message>
    <message>
        <source>slabs</source>
        <translation>スラブ</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <source>FOVs</source>
        <translation>FOV</translation>
    </message>
    <message>
        <source>subvolumes</source>
        <translation>サブボリューム</translation>
    </message>
    <message>
        <source>objects</source>
        <translation>オブジェクト</translation>
    </message>
    <message>
        <source>coordinates</source>
        <translation>座標</translation>
    </message>
    <message>
        <source>records</source>
        <translation>レコード</translation>
    </message>
    <message>
        <source>voxels</source>
        <translation>ボクセル</translation>
    </message>
    <message>
        <source>seeds</source>
        <translation>シード</translation>
    </message>
    <message>
        <source>step</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <source>demo</source>
        <translation>デモ</translation>
    </message>
    <message>
        <source>Copy the project to a writable folder (File &gt; Open it from there), or mount the disk writable; results can still be viewed and exported to another folder.</source>
        <translation>プロジェクトを書き込み可能なフォルダーにコピーして（ファイル › そこから開く）、またはディスクを書き込み可能にマウントしてください。結果の表示と別フォルダーへのエクスポートは引き続きできます。</translation>
    </message>
    <message>
        <source>Ask for write permission to the project folder, or copy the project to your own folder.</source>
        <translation>プロジェクトフォルダーへの書き込み権限を依頼するか、プロジェクトを自分のフォルダーにコピーしてください。</translation>
    </message>
    <message>
        <source>Free some space on that disk, or move the project to a disk with more room, then run again.</source>
        <translation>そのディスクの空き容量を増やすか、余裕のあるディスクにプロジェクトを移してから、もう一度実行してください。</translation>
    </message>
    <message>
        <source>Free some of your files on that disk, or move the project elsewhere, then run again.</source>
        <translation>そのディスク上の自分のファイルを整理するか、プロジェクトを別の場所に移してから、もう一度実行してください。</translation>
    </message>
</context>
<context>
    <name>RefineViewPanel</name>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Consensus of two passes: objects split {0} ({1} new), voxels emptied {2}.</source>
        <translation>2 回のパスの合意: 分割したオブジェクト {0}（新規 {1}）、空にしたボクセル {2}。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Agglomerate: pairs merged {0}, objects {1} → {2}.</source>
        <translation>凝集（統合）: 結合したペア {0}、オブジェクト {1} → {2}。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Fill: voxels filled {0} ({1} of the box), unsegmented {2} → {3}.</source>
        <translation>穴埋め: 埋めたボクセル {0}（ボックスの {1}）、未セグメント {2} → {3}。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Fill: voxels filled {0} ({1} of the box; new objects {4}), unsegmented {2} → {3}.</source>
        <translation>穴埋め: 埋めたボクセル {0}（ボックスの {1}、新しいオブジェクト {4}）、未セグメント {2} → {3}。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Counted in each of the {0} subvolumes and summed (voxels where they overlap count once in each).</source>
        <translation>{0} 個のサブボリュームそれぞれで数えた合計です（重なりのボクセルはそれぞれで数えます）。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>consensus of two passes</source>
        <translation>2 回のパスの合意</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>fill empty space</source>
        <translation>空き領域の穴埋め</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>agglomerate</source>
        <translation>凝集（統合）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Voxels filled</source>
        <translation>埋めたボクセル</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Empty in the first pass, labelled now (fill)</source>
        <translation>最初のパスでは空、今はラベルあり（穴埋め）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Voxels emptied</source>
        <translation>空にしたボクセル</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Labelled in the first pass, empty now (consensus drops small pieces)</source>
        <translation>最初のパスではラベルあり、今は空（合意で小さな断片が除かれた）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Objects split</source>
        <translation>分割されたオブジェクト</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>First-pass objects whose voxels now belong to two or more objects</source>
        <translation>ボクセルが今は 2 つ以上のオブジェクトに属する、最初のパスのオブジェクト</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Objects merged</source>
        <translation>結合されたオブジェクト</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Objects now covering voxels of two or more first-pass objects</source>
        <translation>最初のパスの 2 つ以上のオブジェクトのボクセルを含むようになったオブジェクト</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>New objects</source>
        <translation>新しいオブジェクト</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Objects without a single first-pass voxel (fill)</source>
        <translation>最初のパスのボクセルを 1 つも含まないオブジェクト（穴埋め）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>The pieces of each first-pass object that was split</source>
        <translation>分割された最初のパスの各オブジェクトの断片</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>The first-pass objects inside each merged object</source>
        <translation>結合された各オブジェクトに含まれる最初のパスのオブジェクト</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>This run was not refined: it is the first pass.</source>
        <translation>このランは仕上げていません。最初のパスのままです。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Refined by: {0}.</source>
        <translation>仕上げの手順: {0}。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Scores against: {0}</source>
        <translation>スコアの正解データ: {0}</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>No ground truth in this project: counts only, no scores.</source>
        <translation>このプロジェクトには正解データがありません。件数のみで、スコアは出しません。</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source> voxels</source>
        <translation> ボクセル</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>A piece of a split or merged object counts when it has at least this many voxels (ignores slivers that changed hands at a boundary)</source>
        <translation>分割・結合されたオブジェクトの断片は、少なくともこのボクセル数があるときに数えます（境界で持ち主が変わっただけの薄い断片は無視します）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Pieces of at least</source>
        <translation>数える断片の最小サイズ</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Compare with the first pass</source>
        <translation>最初のパスと比較</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>First pass</source>
        <translation>最初のパス</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Refined</source>
        <translation>仕上げ後</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Unsegmented</source>
        <translation>未セグメント</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>{0}: layer &apos;{1}&apos;</source>
        <translation>{0}（レイヤー「{1}」）</translation>
    </message>
    <message>
        <location filename="../../app/inspect/refine_view.py"/>
        <source>The voxels the refinement filled</source>
        <translation>仕上げで埋めたボクセル</translation>
    </message>
</context>
</TS>
