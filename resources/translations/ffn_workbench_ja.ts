<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>DiagnosticsDialog</name>
    <message>
        <location filename="../../app/diagnostics.py" line="25"/>
        <source>About FFN Workbench</source>
        <translation>FFN Workbench について</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="27"/>
        <source>FFN Workbench</source>
        <translation>FFN Workbench</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="27"/>
        <source>Platform</source>
        <translation>プラットフォーム</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="33"/>
        <source>checking...</source>
        <translation>確認中...</translation>
    </message>
    <message>
        <location filename="../../app/diagnostics.py" line="60"/>
        <source>none (CPU only)</source>
        <translation>なし（CPU のみ）</translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <location filename="../../app/pages/export_page.py" line="27"/>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="38"/>
        <source>8-bit colour, a stable colour per ID (for viewing)</source>
        <translation>8 ビットカラー、ID ごとに固定色（閲覧用）</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="39"/>
        <source>Renumber IDs 1..N if they do not fit</source>
        <translation>収まらない場合は ID を 1..N に振り直す</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="40"/>
        <source>Replace a non-empty destination</source>
        <translation>空でない出力先を上書きする</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="43"/>
        <source>Folder...</source>
        <translation>フォルダー...</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="45"/>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="49"/>
        <source>Evaluate against the project&apos;s labels</source>
        <translation>プロジェクトのラベルで評価</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="63"/>
        <source>Run</source>
        <translation>推論ラン</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="64"/>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="65"/>
        <source>Bit depth</source>
        <translation>ビット深度</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="68"/>
        <source>Destination</source>
        <translation>出力先</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="70"/>
        <source>Evaluation</source>
        <translation>評価</translation>
    </message>
    <message>
        <location filename="../../app/pages/export_page.py" line="76"/>
        <source>&lt;h3&gt;Export and evaluate a segmentation&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;セグメンテーションのエクスポートと評価&lt;/h3&gt;</translation>
    </message>
</context>
<context>
    <name>ImportPage</name>
    <message>
        <location filename="../../app/pages/import_page.py" line="170"/>
        <source>Images</source>
        <translation>画像</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="171"/>
        <source>Labels</source>
        <translation>ラベル</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="147"/>
        <source>Convert colour (RGB) slices to gray</source>
        <translation>カラー（RGB）スライスをグレースケールに変換</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="150"/>
        <source>Import</source>
        <translation>インポート</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="176"/>
        <source>Voxel size</source>
        <translation>ボクセルサイズ</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="179"/>
        <source>&lt;h3&gt;Import EM images and labels&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;EM 画像とラベルのインポート&lt;/h3&gt;</translation>
    </message>
</context>
<context>
    <name>InferPage</name>
    <message>
        <location filename="../../app/pages/infer_page.py" line="66"/>
        <source>Draw</source>
        <translation>描画</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="74"/>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="76"/>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="97"/>
        <source>Checkpoint</source>
        <translation>チェックポイント</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="98"/>
        <source>Request</source>
        <translation>推論リクエスト</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="99"/>
        <source>Model args</source>
        <translation>モデル引数</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="100"/>
        <source>Box</source>
        <translation>範囲</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="101"/>
        <source>Run name</source>
        <translation>ラン名</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="102"/>
        <source>Options (empty: request&apos;s value or the default shown)</source>
        <translation>オプション（空欄: リクエストの値または表示中の既定値）</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="104"/>
        <source>seed policy</source>
        <translation>シードポリシー</translation>
    </message>
    <message>
        <location filename="../../app/pages/infer_page.py" line="111"/>
        <source>&lt;h3&gt;Segment with a trained model&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;学習済みモデルでセグメンテーション&lt;/h3&gt;</translation>
    </message>
</context>
<context>
    <name>JobPanel</name>
    <message>
        <location filename="../../app/job_panel.py" line="64"/>
        <source>Stop</source>
        <translation>停止</translation>
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
        <location filename="../../app/main_window.py" line="315"/>
        <source>Project: {0}</source>
        <translation>プロジェクト: {0}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="315"/>
        <source>Create a project (File › New project) or open one to begin.</source>
        <translation>まずプロジェクトを作成する（ファイル › 新規プロジェクト）か、既存のプロジェクトを開いてください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="342"/>
        <source>No project is open.</source>
        <translation>プロジェクトが開かれていません。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="342"/>
        <source>Create or open a project first.</source>
        <translation>先にプロジェクトを作成するか開いてください。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="346"/>
        <source>A job is already running.</source>
        <translation>別のジョブが実行中です。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="346"/>
        <source>Wait for it or press Stop.</source>
        <translation>終了を待つか「停止」を押してください。</translation>
    </message>
</context>
<context>
    <name>PreprocessPage</name>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="43"/>
        <source>Compute partitions and coordinates</source>
        <translation>パーティションと座標を計算</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="52"/>
        <source>Model preset</source>
        <translation>モデルのプリセット</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="53"/>
        <source>Thresholds</source>
        <translation>しきい値</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="54"/>
        <source>lom radius (x,y,z)</source>
        <translation>LOM 半径 (x,y,z)</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="55"/>
        <source>min size</source>
        <translation>最小サイズ</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="56"/>
        <source>Margin (z,y,x)</source>
        <translation>マージン (z,y,x)</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="57"/>
        <source>Seed</source>
        <translation>乱数シード</translation>
    </message>
    <message>
        <location filename="../../app/pages/preprocess_page.py" line="59"/>
        <source>&lt;h3&gt;Prepare training data&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;学習データの準備&lt;/h3&gt;</translation>
    </message>
</context>
<context>
    <name>SourcePicker</name>
    <message>
        <location filename="../../app/pages/import_page.py" line="50"/>
        <source>Folder...</source>
        <translation>フォルダー...</translation>
    </message>
    <message>
        <location filename="../../app/pages/import_page.py" line="50"/>
        <source>File...</source>
        <translation>ファイル...</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <location filename="../../app/pages/train_page.py" line="55"/>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="57"/>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="61"/>
        <source>Open in TensorBoard</source>
        <translation>TensorBoard で開く</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="88"/>
        <source>Run</source>
        <translation>ラン名</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="89"/>
        <source>Model preset</source>
        <translation>モデルのプリセット</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="90"/>
        <source>Model args</source>
        <translation>モデル引数</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="91"/>
        <source>Max steps</source>
        <translation>最大ステップ数</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="92"/>
        <source>Batch size</source>
        <translation>バッチサイズ</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="93"/>
        <source>Optimizer</source>
        <translation>オプティマイザー</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="94"/>
        <source>Learning rate</source>
        <translation>学習率</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="95"/>
        <source>Summary every (s)</source>
        <translation>サマリー間隔（秒）</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="96"/>
        <source>Init checkpoint</source>
        <translation>初期チェックポイント</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="104"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="105"/>
        <source>Progress</source>
        <translation>進捗</translation>
    </message>
    <message>
        <location filename="../../app/pages/train_page.py" line="110"/>
        <source>&lt;h3&gt;Train a model&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;モデルの学習&lt;/h3&gt;</translation>
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
</TS>
