<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <source>Run store</source>
        <translation>Laufspeicher</translation>
    </message>
    <message>
        <source>The run store %1 cannot be opened: %2
Runs of this session will not be remembered.</source>
        <translation>Der Laufspeicher %1 kann nicht geöffnet werden: %2
Läufe dieser Sitzung werden nicht gespeichert.</translation>
    </message>
    <message>
        <source>Run configuration</source>
        <translation>Laufkonfiguration</translation>
    </message>
</context>
<context>
    <name>RunCheckpoints</name>
    <message>
        <source>This run has no checkpoint to export: %1</source>
        <translation>Dieser Lauf hat keinen Checkpoint zum Exportieren: %1</translation>
    </message>
    <message>
        <source>No checkpoint in this run yet: training saves one at the end.</source>
        <translation>Dieser Lauf hat noch keinen Checkpoint: Das Training speichert einen am Ende.</translation>
    </message>
    <message>
        <source>%1: step %2, loss %3</source>
        <translation>%1: Schritt %2, Loss %3</translation>
    </message>
    <message>
        <source>%1: step %2</source>
        <translation>%1: Schritt %2</translation>
    </message>
    <message>
        <source>%1 (latest)</source>
        <translation>%1 (neuester)</translation>
    </message>
</context>
<context>
    <name>RunsPage</name>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Unterbrochen</translation>
    </message>
</context>
<context>
    <name>headroom</name>
    <message>
        <source>Fine-tune language models on this workstation.</source>
        <translation>Sprachmodelle auf dieser Workstation feinabstimmen.</translation>
    </message>
    <message>
        <source>Model to open.</source>
        <translation>Zu öffnendes Modell.</translation>
    </message>
    <message>
        <source>Dataset to open.</source>
        <translation>Zu öffnender Datensatz.</translation>
    </message>
    <message>
        <source>Run configuration to load.</source>
        <translation>Zu ladende Laufkonfiguration.</translation>
    </message>
    <message>
        <source>Page to show (0 = Model … 5 = Runs).</source>
        <translation>Anzuzeigende Seite (0 = Modell … 5 = Läufe).</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ByteText</name>
    <message>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ChatPanel</name>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Fine-tuned (adapter on)</source>
        <translation>Feinabgestimmt (Adapter an)</translation>
    </message>
    <message>
        <source>Base (adapter off)</source>
        <translation>Basis (Adapter aus)</translation>
    </message>
    <message>
        <source>Ask both models something (Ctrl+Return sends)</source>
        <translation>Fragen Sie beide Modelle etwas (Strg+Eingabe sendet)</translation>
    </message>
    <message>
        <source>0 (greedy)</source>
        <translation>0 (greedy)</translation>
    </message>
    <message>
        <source>0 always takes the most likely token; higher values sample more freely</source>
        <translation>0 wählt immer das wahrscheinlichste Token; höhere Werte wählen freier aus</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>Temperatur:</translation>
    </message>
    <message>
        <source>Max new tokens:</source>
        <translation>Max. neue Tokens:</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 wird geladen…</translation>
    </message>
    <message>
        <source>Generating the fine-tuned answer…</source>
        <translation>Antwort des feinabgestimmten Modells wird erzeugt…</translation>
    </message>
    <message>
        <source>Generating the base answer…</source>
        <translation>Antwort des Basismodells wird erzeugt…</translation>
    </message>
    <message>
        <source>%1: stopped after %2 tokens</source>
        <translation>%1: nach %2 Tokens gestoppt</translation>
    </message>
    <message>
        <source>%1: %2 tokens, %3 tokens/s</source>
        <translation>%1: %2 Tokens, %3 Tokens/s</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>Gestoppt.</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Fertig.</translation>
    </message>
    <message>
        <source>No model yet: open a model, or finish or choose a run, to chat with it.</source>
        <translation>Noch kein Modell: Öffnen Sie ein Modell oder schließen Sie einen Lauf ab bzw. wählen Sie einen aus, um damit zu chatten.</translation>
    </message>
    <message>
        <source>No trained adapter for %1 yet: only the base model answers. Train a LoRA run to compare.</source>
        <translation>Noch kein trainierter Adapter für %1: Nur das Basismodell antwortet. Trainieren Sie einen LoRA-Lauf zum Vergleich.</translation>
    </message>
    <message>
        <source>Ready: %1 with the adapter %2 (loaded on the first Send).</source>
        <translation>Bereit: %1 mit dem Adapter %2 (wird beim ersten Senden geladen).</translation>
    </message>
    <message>
        <source>No adapter: nothing to compare.</source>
        <translation>Kein Adapter: nichts zu vergleichen.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ChatWorker</name>
    <message>
        <source>Could not load the model %1: %2</source>
        <translation>Das Modell %1 konnte nicht geladen werden: %2</translation>
    </message>
    <message>
        <source>chat format %1</source>
        <translation>Chat-Format %1</translation>
    </message>
    <message>
        <source>no chat template: prompts are continued as plain text</source>
        <translation>kein Chat-Template: Prompts werden als reiner Text fortgesetzt</translation>
    </message>
    <message>
        <source>Loaded on %1, %2.</source>
        <translation>Auf %1 geladen, %2.</translation>
    </message>
    <message>
        <source>Generation failed: %1</source>
        <translation>Generierung fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ConfigDiffTable</name>
    <message>
        <source>&lt;b&gt;Configuration difference&lt;/b&gt;</source>
        <translation>&lt;b&gt;Konfigurationsunterschiede&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Select two or more runs to compare their configurations.</source>
        <translation>Wählen Sie zwei oder mehr Läufe aus, um ihre Konfigurationen zu vergleichen.</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>Einstellung</translation>
    </message>
    <message>
        <source>(not set)</source>
        <translation>(nicht gesetzt)</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>The selected runs have the same configuration.</source>
        <translation>Die ausgewählten Läufe haben dieselbe Konfiguration.</translation>
    </message>
    <message numerus="yes">
        <source>%n setting(s) differ between the selected runs.</source>
        <translation>
            <numerusform>%n Einstellung unterscheidet sich zwischen den ausgewählten Läufen.</numerusform>
            <numerusform>%n Einstellungen unterscheiden sich zwischen den ausgewählten Läufen.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>headroom::ui::DataPage</name>
    <message>
        <source>Open dataset…</source>
        <translation>Datensatz öffnen…</translation>
    </message>
    <message>
        <source>No dataset open. Drop a .jsonl, .json, .csv, .tsv or .txt file onto this page.</source>
        <translation>Kein Datensatz geöffnet. Ziehen Sie eine .jsonl-, .json-, .csv-, .tsv- oder .txt-Datei auf diese Seite.</translation>
    </message>
    <message>
        <source>&lt;span style=&quot;background-color: %1&quot;&gt;&amp;nbsp;prompt: masked, no loss&amp;nbsp;&lt;/span&gt;&amp;nbsp;&amp;nbsp;trained tokens plain&amp;nbsp;&amp;nbsp;&lt;s&gt;cut off by max_seq_len&lt;/s&gt;</source>
        <translation>&lt;span style=&quot;background-color: %1&quot;&gt;&amp;nbsp;Prompt: maskiert, kein Loss&amp;nbsp;&lt;/span&gt;&amp;nbsp;&amp;nbsp;trainierte Tokens ohne Markierung&amp;nbsp;&amp;nbsp;&lt;s&gt;durch max_seq_len abgeschnitten&lt;/s&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Preview: the first samples as the model sees them&lt;/b&gt;</source>
        <translation>&lt;b&gt;Vorschau: die ersten Beispiele, wie das Modell sie sieht&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Token lengths&lt;/b&gt;</source>
        <translation>&lt;b&gt;Token-Längen&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Recent datasets&lt;/b&gt;</source>
        <translation>&lt;b&gt;Zuletzt verwendete Datensätze&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Data&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Daten&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Open a dataset to see its first samples.</source>
        <translation>Öffnen Sie einen Datensatz, um seine ersten Beispiele zu sehen.</translation>
    </message>
    <message>
        <source>Cannot open the dataset %1: it is not a readable file.</source>
        <translation>Der Datensatz %1 kann nicht geöffnet werden: Es ist keine lesbare Datei.</translation>
    </message>
    <message>
        <source>Cannot open the dataset %1: files of type .%2 are not read (use .jsonl, .json, .csv, .tsv or .txt).</source>
        <translation>Der Datensatz %1 kann nicht geöffnet werden: Dateien vom Typ .%2 werden nicht gelesen (verwenden Sie .jsonl, .json, .csv, .tsv oder .txt).</translation>
    </message>
    <message>
        <source>Open dataset</source>
        <translation>Datensatz öffnen</translation>
    </message>
    <message>
        <source>Datasets (*.jsonl *.ndjson *.json *.csv *.tsv *.txt);;All files (*)</source>
        <translation>Datensätze (*.jsonl *.ndjson *.json *.csv *.tsv *.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message>
        <source>Reading and tokenizing %1…</source>
        <translation>%1 wird gelesen und tokenisiert…</translation>
    </message>
    <message>
        <source>Cannot read the dataset:
%1</source>
        <translation>Der Datensatz kann nicht gelesen werden:
%1</translation>
    </message>
    <message>
        <source>Cannot load the tokenizer of %1:
%2</source>
        <translation>Der Tokenizer von %1 kann nicht geladen werden:
%2</translation>
    </message>
    <message>
        <source>No sample can be trained on:
%1</source>
        <translation>Mit keinem Beispiel kann trainiert werden:
%1</translation>
    </message>
    <message>
        <source>The preview needs a model: open one on the Model page to see the samples exactly as the model will see them.</source>
        <translation>Die Vorschau braucht ein Modell: Öffnen Sie eines auf der Seite „Modell“, um die Beispiele genau so zu sehen, wie das Modell sie sehen wird.</translation>
    </message>
    <message>
        <source>No preview.</source>
        <translation>Keine Vorschau.</translation>
    </message>
    <message>
        <source>%1, %2 records: %3 usable samples, %4 malformed lines.</source>
        <translation>%1, %2 Datensätze: %3 verwendbare Beispiele, %4 fehlerhafte Zeilen.</translation>
    </message>
    <message>
        <source>%1, %2 records, %3 malformed lines.</source>
        <translation>%1, %2 Datensätze, %3 fehlerhafte Zeilen.</translation>
    </message>
    <message>
        <source>The format could not be detected; choose it above.</source>
        <translation>Das Format konnte nicht erkannt werden; wählen Sie es oben aus.</translation>
    </message>
    <message>
        <source>Token lengths need a model.</source>
        <translation>Token-Längen brauchen ein Modell.</translation>
    </message>
    <message>
        <source>No token lengths: no usable sample.</source>
        <translation>Keine Token-Längen: kein verwendbares Beispiel.</translation>
    </message>
    <message>
        <source>%1 of %2 samples would be truncated (max_seq_len %3)</source>
        <translation>%1 von %2 Beispielen würden gekürzt (max_seq_len %3)</translation>
    </message>
    <message>
        <source>The memory estimate assumes rows of max_seq_len tokens. No sample is longer than this, so training sees the same tokens and the estimate gets tight.</source>
        <translation>Die Speicherschätzung nimmt Zeilen mit max_seq_len Tokens an. Kein Beispiel ist länger als dieser Wert, das Training sieht also dieselben Tokens und die Schätzung wird genau.</translation>
    </message>
    <message>
        <source>Use max_seq_len %1 (the longest sample)</source>
        <translation>max_seq_len %1 verwenden (das längste Beispiel)</translation>
    </message>
</context>
<context>
    <name>headroom::ui::DeviceSelector</name>
    <message>
        <source>The device the estimate plans for: a GPU of this machine, the CPU, or a card from the table</source>
        <translation>Das Gerät, für das die Schätzung plant: eine GPU dieses Rechners, die CPU oder eine Karte aus der Tabelle</translation>
    </message>
    <message>
        <source>CPU (%1 RAM, %2 available)</source>
        <translation>CPU (%1 RAM, %2 verfügbar)</translation>
    </message>
    <message>
        <source>%1 (%2, %3 free, this machine)</source>
        <translation>%1 (%2, %3 frei, dieser Rechner)</translation>
    </message>
    <message>
        <source>%1 (%2 GiB, planned)</source>
        <translation>%1 (%2 GiB, geplant)</translation>
    </message>
</context>
<context>
    <name>headroom::ui::EstimateChart</name>
    <message>
        <source>base weights</source>
        <translation>Basisgewichte</translation>
    </message>
    <message>
        <source>quantized weights</source>
        <translation>quantisierte Gewichte</translation>
    </message>
    <message>
        <source>LoRA parameters</source>
        <translation>LoRA-Parameter</translation>
    </message>
    <message>
        <source>fp32 master weights</source>
        <translation>fp32-Mastergewichte</translation>
    </message>
    <message>
        <source>optimizer states</source>
        <translation>Optimiererzustände</translation>
    </message>
    <message>
        <source>gradients</source>
        <translation>Gradienten</translation>
    </message>
    <message>
        <source>saved activations</source>
        <translation>gespeicherte Aktivierungen</translation>
    </message>
    <message>
        <source>attention scores</source>
        <translation>Attention-Scores</translation>
    </message>
    <message>
        <source>token ids and labels</source>
        <translation>Token-IDs und Labels</translation>
    </message>
    <message>
        <source>other (checkpoint state, calibration)</source>
        <translation>Sonstiges (Checkpoint-Zustand, Kalibrierung)</translation>
    </message>
    <message>
        <source>0 load</source>
        <translation>0 Laden</translation>
    </message>
    <message>
        <source>1 forward</source>
        <translation>1 Forward</translation>
    </message>
    <message>
        <source>2 backward</source>
        <translation>2 Backward</translation>
    </message>
    <message>
        <source>3 optimizer</source>
        <translation>3 Optimierer</translation>
    </message>
    <message>
        <source>memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Open a model to see the estimate.</source>
        <translation>Öffnen Sie ein Modell, um die Schätzung zu sehen.</translation>
    </message>
    <message>
        <source>peak %1</source>
        <translation>Spitzenwert %1</translation>
    </message>
    <message>
        <source>on the device %1</source>
        <translation>auf dem Gerät %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: %2 (above the scale)</source>
        <translation>%1: %2 (oberhalb der Skala)</translation>
    </message>
    <message>
        <source>Per GPU: %1 on the device × %2 GPUs = %3 across the GPUs (each process holds the whole model; the verdict is per GPU)</source>
        <translation>Pro GPU: %1 auf dem Gerät × %2 GPUs = %3 über alle GPUs (jeder Prozess hält das ganze Modell; das Urteil gilt pro GPU)</translation>
    </message>
    <message>
        <source>memory per GPU</source>
        <translation>Speicher pro GPU</translation>
    </message>
    <message>
        <source>Peak on the device: %1</source>
        <translation>Spitzenwert auf dem Gerät: %1</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ExportChatPage</name>
    <message>
        <source>Export adapter…</source>
        <translation>Adapter exportieren…</translation>
    </message>
    <message>
        <source>Export merged model…</source>
        <translation>Zusammengeführtes Modell exportieren…</translation>
    </message>
    <message>
        <source>Write the LoRA adapter as a PEFT folder (adapter_config.json + adapter_model.safetensors)</source>
        <translation>Den LoRA-Adapter als PEFT-Ordner schreiben (adapter_config.json + adapter_model.safetensors)</translation>
    </message>
    <message>
        <source>Write the base model with the training merged in, as a Hugging Face model folder</source>
        <translation>Das Basismodell mit eingearbeitetem Training als Hugging-Face-Modellordner schreiben</translation>
    </message>
    <message>
        <source>As the base model</source>
        <translation>Wie das Basismodell</translation>
    </message>
    <message>
        <source>Largest safetensors file, e.g. 5GB, 500MB or 2GiB</source>
        <translation>Größte Safetensors-Datei, z. B. 5GB, 500MB oder 2GiB</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Run:</source>
        <translation>Lauf:</translation>
    </message>
    <message>
        <source>Checkpoint:</source>
        <translation>Checkpoint:</translation>
    </message>
    <message>
        <source>Merged weights:</source>
        <translation>Zusammengeführte Gewichte:</translation>
    </message>
    <message>
        <source>Max shard size:</source>
        <translation>Max. Shard-Größe:</translation>
    </message>
    <message>
        <source>Chat: fine-tuned and base side by side</source>
        <translation>Chat: feinabgestimmt und Basis nebeneinander</translation>
    </message>
    <message>
        <source>Writing tensor %1 of %2</source>
        <translation>Tensor %1 von %2 wird geschrieben</translation>
    </message>
    <message>
        <source>Loading the result back…</source>
        <translation>Ergebnis wird zur Prüfung erneut geladen…</translation>
    </message>
    <message>
        <source>the adapter</source>
        <translation>Der Adapter</translation>
    </message>
    <message>
        <source>the merged model</source>
        <translation>Das zusammengeführte Modell</translation>
    </message>
    <message>
        <source>Exported %1 to &lt;b&gt;%2&lt;/b&gt; (%3). %4</source>
        <translation>%1 wurde nach &lt;b&gt;%2&lt;/b&gt; exportiert (%3). %4</translation>
    </message>
    <message>
        <source>Show folder</source>
        <translation>Ordner anzeigen</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>No run yet: train one on the Train page, or choose one in the Runs view.</source>
        <translation>Noch kein Lauf: Trainieren Sie einen auf der Seite „Training“ oder wählen Sie einen in der Ansicht „Läufe“ aus.</translation>
    </message>
    <message>
        <source>%1 (model %2, %3)</source>
        <translation>%1 (Modell %2, %3)</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>full fine-tuning</source>
        <translation>volles Fine-Tuning</translation>
    </message>
    <message>
        <source>A full fine-tuning run has no adapter: export the merged model.</source>
        <translation>Ein Lauf mit vollem Fine-Tuning hat keinen Adapter: Exportieren Sie das zusammengeführte Modell.</translation>
    </message>
    <message>
        <source>Nothing to export yet: train a run first, or choose one in the Runs view.</source>
        <translation>Noch nichts zu exportieren: Trainieren Sie zuerst einen Lauf oder wählen Sie einen in der Ansicht „Läufe“ aus.</translation>
    </message>
    <message>
        <source>Export the adapter to a new folder</source>
        <translation>Den Adapter in einen neuen Ordner exportieren</translation>
    </message>
    <message>
        <source>Export the merged model to a new folder</source>
        <translation>Das zusammengeführte Modell in einen neuen Ordner exportieren</translation>
    </message>
    <message>
        <source>Max shard size: %1</source>
        <translation>Max. Shard-Größe: %1</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Wird exportiert…</translation>
    </message>
    <message>
        <source>Exporting to %1…</source>
        <translation>Export nach %1 läuft…</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ExportFolderDialog</name>
    <message>
        <source>Folder:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ExportJob</name>
    <message>
        <source>The export was written to %1, but loading it back failed: %2</source>
        <translation>Der Export wurde nach %1 geschrieben, das erneute Laden ist aber fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Loaded back onto %1: %2 LoRA tensors, names and shapes fit the model.</source>
        <translation>Erneut auf %1 geladen: %2 LoRA-Tensoren, Namen und Formen passen zum Modell.</translation>
    </message>
    <message>
        <source>Loaded back as a model: config, %1 tensors in %2 shard(s) and the tokenizer read by the engine&apos;s loader.</source>
        <translation>Erneut als Modell geladen: Konfiguration, %1 Tensoren in %2 Shard(s) und Tokenizer vom Loader der Engine gelesen.</translation>
    </message>
    <message>
        <source>No tokenizer files were written: %1</source>
        <translation>Es wurden keine Tokenizer-Dateien geschrieben: %1</translation>
    </message>
</context>
<context>
    <name>headroom::ui::FitAdvicePanel</name>
    <message>
        <source>load</source>
        <translation>Laden</translation>
    </message>
    <message>
        <source>forward</source>
        <translation>Forward-Pass</translation>
    </message>
    <message>
        <source>backward</source>
        <translation>Backward-Pass</translation>
    </message>
    <message>
        <source>the optimizer step</source>
        <translation>Optimiererschritt</translation>
    </message>
    <message>
        <source>faster, same result</source>
        <translation>schneller, gleiches Ergebnis</translation>
    </message>
    <message>
        <source>no dropout regularisation on the adapters</source>
        <translation>keine Dropout-Regularisierung der Adapter</translation>
    </message>
    <message>
        <source>about +5 % step time</source>
        <translation>etwa +5 % Schrittzeit</translation>
    </message>
    <message>
        <source>same effective batch, about +10 % step time</source>
        <translation>gleicher effektiver Batch, etwa +10 % Schrittzeit</translation>
    </message>
    <message>
        <source>about +30 % step time</source>
        <translation>etwa +30 % Schrittzeit</translation>
    </message>
    <message>
        <source>trains far fewer weights (quality cost)</source>
        <translation>trainiert weit weniger Gewichte (Qualitätseinbuße)</translation>
    </message>
    <message>
        <source>about +20 % step time, small quality cost</source>
        <translation>etwa +20 % Schrittzeit, geringe Qualitätseinbuße</translation>
    </message>
    <message>
        <source>about +25 % step time, small quality cost</source>
        <translation>etwa +25 % Schrittzeit, geringe Qualitätseinbuße</translation>
    </message>
    <message>
        <source>truncates longer samples (changes the data)</source>
        <translation>kürzt längere Beispiele (verändert die Daten)</translation>
    </message>
    <message>
        <source>SDPA attention instead of eager</source>
        <translation>SDPA-Attention statt eager</translation>
    </message>
    <message>
        <source>LoRA dropout 0</source>
        <translation>LoRA-Dropout 0</translation>
    </message>
    <message>
        <source>8-bit AdamW</source>
        <translation>8-Bit-AdamW</translation>
    </message>
    <message>
        <source>micro-batch %1 → %2 with accumulation ×%3</source>
        <translation>Micro-Batch %1 → %2 mit Akkumulation ×%3</translation>
    </message>
    <message>
        <source>gradient checkpointing</source>
        <translation>Gradient Checkpointing</translation>
    </message>
    <message>
        <source>LoRA instead of full fine-tuning</source>
        <translation>LoRA statt vollem Fine-Tuning</translation>
    </message>
    <message>
        <source>int8 base weights</source>
        <translation>int8-Basisgewichte</translation>
    </message>
    <message>
        <source>NF4 base weights (QLoRA)</source>
        <translation>NF4-Basisgewichte (QLoRA)</translation>
    </message>
    <message>
        <source>max sequence length %1 → %2</source>
        <translation>max. Sequenzlänge %1 → %2</translation>
    </message>
    <message>
        <source>Fits</source>
        <translation>Passt</translation>
    </message>
    <message>
        <source>Does not fit</source>
        <translation>Passt nicht</translation>
    </message>
    <message>
        <source>Peak %1 during %2 (shaded: working memory on top of the stage).</source>
        <translation>Spitzenwert %1 beim %2 (schattiert: Arbeitsspeicher zusätzlich zur Phase).</translation>
    </message>
    <message>
        <source>On the device %1 (with the CUDA context %2 and allocator slack %3).</source>
        <translation>Auf dem Gerät %1 (mit CUDA-Kontext %2 und Allocator-Reserve %3).</translation>
    </message>
    <message>
        <source>Budget on %1: %2.</source>
        <translation>Budget auf %1: %2.</translation>
    </message>
    <message>
        <source>Calibrated on this device (×%1).</source>
        <translation>Auf diesem Gerät kalibriert (×%1).</translation>
    </message>
    <message>
        <source>Changes that would save memory (click to apply):</source>
        <translation>Änderungen, die Speicher sparen würden (zum Anwenden klicken):</translation>
    </message>
    <message>
        <source>To make it fit, cheapest first (click to apply):</source>
        <translation>Damit es passt, günstigste zuerst (zum Anwenden klicken):</translation>
    </message>
    <message>
        <source>Auto-fit: %1 → %2</source>
        <translation>Automatisch anpassen: %1 → %2</translation>
    </message>
    <message>
        <source>No combination of techniques fits %1: use a smaller model or a shorter max sequence length.</source>
        <translation>Keine Kombination von Techniken passt auf %1: Verwenden Sie ein kleineres Modell oder eine kürzere maximale Sequenzlänge.</translation>
    </message>
    <message>
        <source>%1: −%2, %3 (fits)</source>
        <translation>%1: −%2, %3 (passt)</translation>
    </message>
    <message>
        <source>%1: −%2, %3</source>
        <translation>%1: −%2, %3</translation>
    </message>
    <message>
        <source>Apply: %1</source>
        <translation>Anwenden: %1</translation>
    </message>
</context>
<context>
    <name>headroom::ui::FormatBar</name>
    <message>
        <source>Detect automatically</source>
        <translation>Automatisch erkennen</translation>
    </message>
    <message>
        <source>Alpaca (instruction, input, output)</source>
        <translation>Alpaca (instruction, input, output)</translation>
    </message>
    <message>
        <source>Chat (messages or ShareGPT conversations)</source>
        <translation>Chat (messages oder ShareGPT-Konversationen)</translation>
    </message>
    <message>
        <source>Plain text</source>
        <translation>Reiner Text</translation>
    </message>
    <message>
        <source>Prompt and completion</source>
        <translation>Prompt und Completion</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>%1, as chosen</source>
        <translation>%1, wie ausgewählt</translation>
    </message>
    <message>
        <source>Detected %1 (%2)</source>
        <translation>%1 erkannt (%2)</translation>
    </message>
    <message>
        <source>%1; rendered with the %2 chat format</source>
        <translation>%1; dargestellt mit dem Chat-Format %2</translation>
    </message>
</context>
<context>
    <name>headroom::ui::LengthHistogram</name>
    <message>
        <source>Tokens per sample</source>
        <translation>Tokens pro Beispiel</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>Beispiele</translation>
    </message>
    <message>
        <source>max_seq_len %1 →</source>
        <translation>max_seq_len %1 →</translation>
    </message>
    <message>
        <source>max_seq_len %1</source>
        <translation>max_seq_len %1</translation>
    </message>
</context>
<context>
    <name>headroom::ui::LivePlot</name>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
</context>
<context>
    <name>headroom::ui::LossPlot</name>
    <message>
        <source>loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>Trainings-Loss</translation>
    </message>
    <message>
        <source>training loss (smoothed)</source>
        <translation>Trainings-Loss (geglättet)</translation>
    </message>
    <message>
        <source>evaluation loss</source>
        <translation>Evaluations-Loss</translation>
    </message>
</context>
<context>
    <name>headroom::ui::MainWindow</name>
    <message>
        <source>Headroom</source>
        <translation>Headroom</translation>
    </message>
    <message>
        <source>1  Model</source>
        <translation>1  Modell</translation>
    </message>
    <message>
        <source>2  Data</source>
        <translation>2  Daten</translation>
    </message>
    <message>
        <source>3  Techniques &amp;&amp; memory</source>
        <translation>3  Techniken &amp;&amp; Speicher</translation>
    </message>
    <message>
        <source>4  Train</source>
        <translation>4  Training</translation>
    </message>
    <message>
        <source>5  Export &amp;&amp; chat</source>
        <translation>5  Export &amp;&amp; Chat</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>Training: step %1 of %2, loss %3</source>
        <translation>Training: Schritt %1 von %2, Loss %3</translation>
    </message>
    <message>
        <source>Open &amp;model…</source>
        <translation>&amp;Modell öffnen…</translation>
    </message>
    <message>
        <source>Open &amp;dataset…</source>
        <translation>&amp;Datensatz öffnen…</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>Export &amp;adapter…</source>
        <translation>&amp;Adapter exportieren…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Export &amp;merged model…</source>
        <translation>&amp;Zusammengeführtes Modell exportieren…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Trainieren</translation>
    </message>
    <message>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <source>Start training with the current settings (F5)</source>
        <translation>Training mit den aktuellen Einstellungen starten (F5)</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>F6</source>
        <translation>F6</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>F7</source>
        <translation>F7</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Stoppen</translation>
    </message>
    <message>
        <source>Shift+F5</source>
        <translation>Shift+F5</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>Zuletzt verwendete Modelle</translation>
    </message>
    <message>
        <source>Recent datasets</source>
        <translation>Zuletzt verwendete Datensätze</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Lauf</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Headroom</source>
        <translation>&amp;Über Headroom</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Hauptleiste</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <source>no dataset</source>
        <translation>kein Datensatz</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Estimated peak %1</source>
        <translation>Geschätzter Spitzenwert %1</translation>
    </message>
    <message>
        <source>Estimated peak %1 of %2: fits</source>
        <translation>Geschätzter Spitzenwert %1 von %2: passt</translation>
    </message>
    <message>
        <source>Estimated peak %1 of %2: does not fit</source>
        <translation>Geschätzter Spitzenwert %1 von %2: passt nicht</translation>
    </message>
    <message>
        <source>About Headroom</source>
        <translation>Über Headroom</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Headroom %1&lt;/h3&gt;&lt;p&gt;Fine-tune language models on your own workstation, with honest numbers about memory.&lt;/p&gt;&lt;p&gt;Built with Qt %2 and LibTorch %3.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Headroom %1&lt;/h3&gt;&lt;p&gt;Sprachmodelle auf der eigenen Workstation feinabstimmen, mit ehrlichen Zahlen zum Speicher.&lt;/p&gt;&lt;p&gt;Erstellt mit Qt %2 und LibTorch %3.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Training in progress</source>
        <translation>Training läuft</translation>
    </message>
    <message>
        <source>A run is training. Stop it (a checkpoint is saved) and quit?</source>
        <translation>Ein Lauf trainiert gerade. Stoppen (ein Checkpoint wird gespeichert) und beenden?</translation>
    </message>
</context>
<context>
    <name>headroom::ui::MalformedList</name>
    <message>
        <source>line %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <source>&lt;b&gt;Malformed lines:&lt;/b&gt; none</source>
        <translation>&lt;b&gt;Fehlerhafte Zeilen:&lt;/b&gt; keine</translation>
    </message>
    <message>
        <source>&lt;b&gt;Malformed lines: %1&lt;/b&gt; (skipped in training)</source>
        <translation>&lt;b&gt;Fehlerhafte Zeilen: %1&lt;/b&gt; (beim Training übersprungen)</translation>
    </message>
</context>
<context>
    <name>headroom::ui::MemoryPlot</name>
    <message>
        <source>memory (MiB)</source>
        <translation>Speicher (MiB)</translation>
    </message>
    <message>
        <source>after load</source>
        <translation>nach dem Laden</translation>
    </message>
    <message>
        <source>after forward</source>
        <translation>nach Forward</translation>
    </message>
    <message>
        <source>after backward</source>
        <translation>nach Backward</translation>
    </message>
    <message>
        <source>after optimizer</source>
        <translation>nach Optimierer</translation>
    </message>
    <message>
        <source>step peak</source>
        <translation>Spitzenwert im Schritt</translation>
    </message>
    <message>
        <source>reserved</source>
        <translation>reserviert</translation>
    </message>
    <message>
        <source>estimated peak</source>
        <translation>geschätzter Spitzenwert</translation>
    </message>
    <message>
        <source>estimated peak (rows of %1 tokens)</source>
        <translation>geschätzter Spitzenwert (Zeilen mit %1 Tokens)</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ModelPage</name>
    <message>
        <source>&lt;h2&gt;Model&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Modell&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder or a GGUF file, drop one onto this page, or pick a model from the Hugging Face cache.</source>
        <translation>Öffnen Sie einen Hugging-Face-Modellordner oder eine GGUF-Datei, ziehen Sie einen bzw. eine auf diese Seite oder wählen Sie ein Modell aus dem Hugging-Face-Cache.</translation>
    </message>
    <message>
        <source>Open model file…</source>
        <translation>Modelldatei öffnen…</translation>
    </message>
    <message>
        <source>A .gguf file, or the config.json of a model folder</source>
        <translation>Eine .gguf-Datei oder die config.json eines Modellordners</translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation>Modellordner öffnen…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>&lt;b&gt;Recent models&lt;/b&gt;</source>
        <translation>&lt;b&gt;Zuletzt verwendete Modelle&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Hugging Face cache&lt;/b&gt;</source>
        <translation>&lt;b&gt;Hugging-Face-Cache&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Cannot use the model %1:
%2</source>
        <translation>Das Modell %1 kann nicht verwendet werden:
%2</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <source>Models (*.gguf config.json);;GGUF files (*.gguf);;Model folder config (config.json)</source>
        <translation>Modelle (*.gguf config.json);;GGUF-Dateien (*.gguf);;Modellordner-Konfiguration (config.json)</translation>
    </message>
    <message>
        <source>Open model folder</source>
        <translation>Modellordner öffnen</translation>
    </message>
    <message>
        <source>Folder: %1</source>
        <translation>Ordner: %1</translation>
    </message>
    <message>
        <source>%1  (%2)</source>
        <translation>%1  (%2)</translation>
    </message>
    <message>
        <source>No models in the cache</source>
        <translation>Keine Modelle im Cache</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ModelSummaryPanel</name>
    <message>
        <source>Summary</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>Architektur:</translation>
    </message>
    <message>
        <source>Parameters:</source>
        <translation>Parameter:</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>Schichten:</translation>
    </message>
    <message>
        <source>Hidden size:</source>
        <translation>Hidden Size:</translation>
    </message>
    <message>
        <source>Vocabulary:</source>
        <translation>Vokabular:</translation>
    </message>
    <message>
        <source>Weights dtype:</source>
        <translation>Dtype der Gewichte:</translation>
    </message>
    <message>
        <source>Size on disk:</source>
        <translation>Größe auf dem Datenträger:</translation>
    </message>
    <message>
        <source>Path:</source>
        <translation>Pfad:</translation>
    </message>
    <message>
        <source>Tokenizer:</source>
        <translation>Tokenizer:</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>GGUF-Datei</translation>
    </message>
    <message>
        <source>Hugging Face cache: %1</source>
        <translation>Hugging-Face-Cache: %1</translation>
    </message>
    <message>
        <source>Hugging Face folder</source>
        <translation>Hugging-Face-Ordner</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 M (%2)</source>
        <translation>%1 Mio. (%2)</translation>
    </message>
    <message>
        <source>included</source>
        <translation>vorhanden</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <source>chat template included</source>
        <translation>Chat-Template vorhanden</translation>
    </message>
    <message>
        <source>no chat template</source>
        <translation>kein Chat-Template</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
</context>
<context>
    <name>headroom::ui::ProcessTrainingRun</name>
    <message>
        <source>Cannot write the run&apos;s config: %1</source>
        <translation>Die Konfiguration des Laufs kann nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>headroom-cli was not found next to this program (or in $HEADROOM_CLI); it runs data-parallel training.</source>
        <translation>headroom-cli wurde nicht neben diesem Programm (oder in $HEADROOM_CLI) gefunden; es führt datenparalleles Training aus.</translation>
    </message>
    <message>
        <source>headroom-cli could not start: %1</source>
        <translation>headroom-cli konnte nicht starten: %1</translation>
    </message>
    <message>
        <source>Data parallel: %1 %2</source>
        <translation>Datenparallel: %1 %2</translation>
    </message>
    <message>
        <source>headroom-cli crashed.</source>
        <translation>headroom-cli ist abgestürzt.</translation>
    </message>
    <message>
        <source>headroom-cli exited with code %1: %2</source>
        <translation>headroom-cli wurde mit Code %1 beendet: %2</translation>
    </message>
</context>
<context>
    <name>headroom::ui::RunCurves</name>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>Peak memory (MiB)</source>
        <translation>Speicher-Spitzenwert (MiB)</translation>
    </message>
    <message>
        <source>%1 (evaluation)</source>
        <translation>%1 (Evaluation)</translation>
    </message>
</context>
<context>
    <name>headroom::ui::RunRecorder</name>
    <message>
        <source>The run could not be recorded in the run list: %1</source>
        <translation>Der Lauf konnte nicht in die Laufliste eingetragen werden: %1</translation>
    </message>
</context>
<context>
    <name>headroom::ui::RunsPage</name>
    <message>
        <source>Import run folder…</source>
        <translation>Laufordner importieren…</translation>
    </message>
    <message>
        <source>Add a run folder made elsewhere, e.g. with headroom-cli</source>
        <translation>Einen anderswo erstellten Laufordner hinzufügen, z. B. mit headroom-cli</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Continue the selected run from its last checkpoint</source>
        <translation>Den ausgewählten Lauf ab seinem letzten Checkpoint fortsetzen</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Delete from list</source>
        <translation>Aus Liste löschen</translation>
    </message>
    <message>
        <source>Forget the selected runs; their folders stay on disk</source>
        <translation>Die ausgewählten Läufe vergessen; ihre Ordner bleiben auf dem Datenträger</translation>
    </message>
    <message>
        <source>The run list could not be read: %1</source>
        <translation>Die Laufliste konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>The run&apos;s curves could not be read: %1</source>
        <translation>Die Kurven des Laufs konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Select a run to see its curves; select several to compare them.</source>
        <translation>Wählen Sie einen Lauf aus, um seine Kurven zu sehen; wählen Sie mehrere aus, um sie zu vergleichen.</translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) selected.</source>
        <translation>
            <numerusform>%n Lauf ausgewählt.</numerusform>
            <numerusform>%n Läufe ausgewählt.</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — %2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — %2</translation>
    </message>
    <message>
        <source>Folder: %1</source>
        <translation>Ordner: %1</translation>
    </message>
    <message>
        <source>Last checkpoint: step %1</source>
        <translation>Letzter Checkpoint: Schritt %1</translation>
    </message>
    <message>
        <source>Exported (%1): %2</source>
        <translation>Exportiert (%1): %2</translation>
    </message>
    <message>
        <source>Import run folder</source>
        <translation>Laufordner importieren</translation>
    </message>
    <message>
        <source>The folder could not be added to the run list:
%1</source>
        <translation>Der Ordner konnte nicht zur Laufliste hinzugefügt werden:
%1</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n run(s) from the list? The run folders and their checkpoints stay on disk.</source>
        <translation>
            <numerusform>%n Lauf aus der Liste entfernen? Der Laufordner und seine Checkpoints bleiben auf dem Datenträger.</numerusform>
            <numerusform>%n Läufe aus der Liste entfernen? Die Laufordner und ihre Checkpoints bleiben auf dem Datenträger.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>headroom::ui::RunsTable</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Last loss</source>
        <translation>Letzter Loss</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>–</source>
        <translation>–</translation>
    </message>
</context>
<context>
    <name>headroom::ui::SamplePreview</name>
    <message>
        <source>Sample %1 — line %2, %3 tokens, %4 trained</source>
        <translation>Beispiel %1 — Zeile %2, %3 Tokens, %4 trainiert</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) past max_seq_len</source>
        <translation>
            <numerusform>%n Token über max_seq_len hinaus</numerusform>
            <numerusform>%n Tokens über max_seq_len hinaus</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) without loss</source>
        <translation>
            <numerusform>%n Token ohne Loss</numerusform>
            <numerusform>%n Tokens ohne Loss</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n trained token(s)</source>
        <translation>
            <numerusform>%n trainiertes Token</numerusform>
            <numerusform>%n trainierte Tokens</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>headroom::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>Apply and restart</source>
        <translation>Anwenden und neu starten</translation>
    </message>
    <message>
        <source>The new language applies when Headroom restarts.</source>
        <translation>Die neue Sprache gilt nach einem Neustart von Headroom.</translation>
    </message>
    <message>
        <source>The new language applies when Headroom restarts; a run is training, so restart after it ends.</source>
        <translation>Die neue Sprache gilt nach einem Neustart von Headroom; ein Lauf trainiert gerade, starten Sie also nach seinem Ende neu.</translation>
    </message>
</context>
<context>
    <name>headroom::ui::TechniqueControls</name>
    <message>
        <source>none (compute dtype)</source>
        <translation>keine (Rechen-Dtype)</translation>
    </message>
    <message>
        <source>int8</source>
        <translation>int8</translation>
    </message>
    <message>
        <source>NF4 (QLoRA)</source>
        <translation>NF4 (QLoRA)</translation>
    </message>
    <message>
        <source>Store the frozen base weights in 8 or 4 bits</source>
        <translation>Die eingefrorenen Basisgewichte in 8 oder 4 Bit speichern</translation>
    </message>
    <message>
        <source>Double quantization (NF4 only)</source>
        <translation>Doppelte Quantisierung (nur NF4)</translation>
    </message>
    <message>
        <source>Quantize the NF4 block scales too: about 0.4 bits per weight</source>
        <translation>Auch die NF4-Blockskalen quantisieren: etwa 0,4 Bit pro Gewicht</translation>
    </message>
    <message>
        <source>Base weights</source>
        <translation>Basisgewichte</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <source>Train a LoRA adapter (off: full fine-tuning)</source>
        <translation>Einen LoRA-Adapter trainieren (aus: volles Fine-Tuning)</translation>
    </message>
    <message>
        <source>All linear projections</source>
        <translation>Alle linearen Projektionen</translation>
    </message>
    <message>
        <source>all-linear, or names such as q_proj, v_proj</source>
        <translation>all-linear oder Namen wie q_proj, v_proj</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Rang</translation>
    </message>
    <message>
        <source>Alpha</source>
        <translation>Alpha</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Target modules</source>
        <translation>Zielmodule</translation>
    </message>
    <message>
        <source>AdamW</source>
        <translation>AdamW</translation>
    </message>
    <message>
        <source>8-bit AdamW</source>
        <translation>8-Bit-AdamW</translation>
    </message>
    <message>
        <source>bf16</source>
        <translation>bf16</translation>
    </message>
    <message>
        <source>fp16</source>
        <translation>fp16</translation>
    </message>
    <message>
        <source>fp32</source>
        <translation>fp32</translation>
    </message>
    <message>
        <source>SDPA (fused)</source>
        <translation>SDPA (fusioniert)</translation>
    </message>
    <message>
        <source>eager (saves the attention scores)</source>
        <translation>eager (speichert die Attention-Scores)</translation>
    </message>
    <message>
        <source>Gradient checkpointing (recompute in backward)</source>
        <translation>Gradient Checkpointing (Neuberechnung im Backward-Pass)</translation>
    </message>
    <message>
        <source>Optimizer and numerics</source>
        <translation>Optimierer und Numerik</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>Optimierer</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>Attention</translation>
    </message>
</context>
<context>
    <name>headroom::ui::TechniquesPage</name>
    <message>
        <source>Plan for</source>
        <translation>Planen für</translation>
    </message>
    <message>
        <source>Open a model to see the estimate.</source>
        <translation>Öffnen Sie ein Modell, um die Schätzung zu sehen.</translation>
    </message>
    <message>
        <source>No estimate for this model: %1</source>
        <translation>Keine Schätzung für dieses Modell: %1</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CPU RAM available</source>
        <translation>Verfügbarer CPU-RAM</translation>
    </message>
    <message>
        <source>Data-parallel training: this many processes, one GPU each, every one holding the whole model and running its share of each step&apos;s micro-batches (headroom-cli train --nproc). The estimate is then per GPU.</source>
        <translation>Datenparalleles Training: so viele Prozesse, je eine GPU; jeder hält das ganze Modell und führt seinen Anteil der Micro-Batches jedes Schritts aus (headroom-cli train --nproc). Die Schätzung gilt dann pro GPU.</translation>
    </message>
    <message>
        <source>Data-parallel processes</source>
        <translation>Datenparallele Prozesse</translation>
    </message>
</context>
<context>
    <name>headroom::ui::TrainPage</name>
    <message>
        <source>Run folder: %1</source>
        <translation>Laufordner: %1</translation>
    </message>
    <message>
        <source>Resuming %1 from its last checkpoint.</source>
        <translation>%1 wird ab dem letzten Checkpoint fortgesetzt.</translation>
    </message>
    <message>
        <source>Resumed.</source>
        <translation>Fortgesetzt.</translation>
    </message>
    <message>
        <source>No memory estimate for this run: %1</source>
        <translation>Keine Speicherschätzung für diesen Lauf: %1</translation>
    </message>
    <message>
        <source>Estimated device peak: %1</source>
        <translation>Geschätzter Spitzenwert auf dem Gerät: %1</translation>
    </message>
    <message>
        <source>The run&apos;s config could not be read back: %1</source>
        <translation>Die Konfiguration des Laufs konnte nicht zurückgelesen werden: %1</translation>
    </message>
    <message>
        <source>Step %1 skipped: fp16 overflow (loss scale now %2).</source>
        <translation>Schritt %1 übersprungen: fp16-Überlauf (Loss-Skalierung jetzt %2).</translation>
    </message>
    <message>
        <source>%1 tokens/s · peak %2 · elapsed %3 · ETA %4</source>
        <translation>%1 Tokens/s · Spitzenwert %2 · vergangen %3 · Restzeit %4</translation>
    </message>
    <message>
        <source>The run could not start: %1</source>
        <translation>Der Lauf konnte nicht starten: %1</translation>
    </message>
    <message>
        <source>Training failed: %1</source>
        <translation>Training fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>Training fehlgeschlagen</translation>
    </message>
    <message>
        <source>The run could not start.</source>
        <translation>Der Lauf konnte nicht starten.</translation>
    </message>
    <message>
        <source>Training failed; the last checkpoint is kept.</source>
        <translation>Training fehlgeschlagen; der letzte Checkpoint bleibt erhalten.</translation>
    </message>
    <message>
        <source>Out of memory</source>
        <translation>Speicher erschöpft</translation>
    </message>
    <message>
        <source>The run ran out of memory.</source>
        <translation>Dem Lauf ist der Speicher ausgegangen.</translation>
    </message>
    <message>
        <source>No advice: the model&apos;s shape is unknown (open the model on the Model page).</source>
        <translation>Keine Empfehlung: Die Form des Modells ist unbekannt (öffnen Sie das Modell auf der Seite „Modell“).</translation>
    </message>
    <message>
        <source>The estimator suggests (estimated peak %1 -&gt; %2):</source>
        <translation>Die Schätzung empfiehlt (geschätzter Spitzenwert %1 -&gt; %2):</translation>
    </message>
    <message>
        <source>No change the run can continue with lowers the estimate.</source>
        <translation>Keine Änderung, mit der der Lauf fortgesetzt werden kann, senkt die Schätzung.</translation>
    </message>
    <message>
        <source>For a new run, also consider:</source>
        <translation>Für einen neuen Lauf auch erwägen:</translation>
    </message>
    <message>
        <source>No advice: %1</source>
        <translation>Keine Empfehlung: %1</translation>
    </message>
    <message>
        <source>Apply and resume</source>
        <translation>Anwenden und fortsetzen</translation>
    </message>
    <message>
        <source>Resuming %1 from its last checkpoint with the advised settings.</source>
        <translation>%1 wird ab dem letzten Checkpoint mit den empfohlenen Einstellungen fortgesetzt.</translation>
    </message>
    <message>
        <source>No checkpoint was saved yet: starting again with the advised settings in %1.</source>
        <translation>Es wurde noch kein Checkpoint gespeichert: Neustart mit den empfohlenen Einstellungen in %1.</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Train the configured model on the configured dataset</source>
        <translation>Das konfigurierte Modell mit dem konfigurierten Datensatz trainieren</translation>
    </message>
    <message>
        <source>Pause between steps; memory stays allocated</source>
        <translation>Zwischen Schritten pausieren; der Speicher bleibt belegt</translation>
    </message>
    <message>
        <source>Stop after the current micro-step and save a checkpoint</source>
        <translation>Nach dem aktuellen Mikroschritt stoppen und einen Checkpoint speichern</translation>
    </message>
    <message>
        <source>step %v of %m</source>
        <translation>Schritt %v von %m</translation>
    </message>
    <message>
        <source>The trainer&apos;s messages appear here.</source>
        <translation>Hier erscheinen die Meldungen des Trainers.</translation>
    </message>
    <message>
        <source>warning: %1</source>
        <translation>Warnung: %1</translation>
    </message>
    <message>
        <source>Evaluation after step %1: loss %2</source>
        <translation>Evaluation nach Schritt %1: Loss %2</translation>
    </message>
    <message>
        <source>Checkpoint after step %1: %2</source>
        <translation>Checkpoint nach Schritt %1: %2</translation>
    </message>
    <message>
        <source>Paused after step %1.</source>
        <translation>Nach Schritt %1 pausiert.</translation>
    </message>
    <message>
        <source>Stopped after %1 of %2 steps.</source>
        <translation>Nach %1 von %2 Schritten gestoppt.</translation>
    </message>
    <message>
        <source>Finished %1 steps.</source>
        <translation>%1 Schritte abgeschlossen.</translation>
    </message>
    <message>
        <source>Ready to train.</source>
        <translation>Bereit zum Training.</translation>
    </message>
    <message>
        <source>Loading the model and the dataset…</source>
        <translation>Modell und Datensatz werden geladen…</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>Training läuft…</translation>
    </message>
    <message>
        <source>Pausing after this step…</source>
        <translation>Pause nach diesem Schritt…</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>Pausiert.</translation>
    </message>
    <message>
        <source>Stopping: saving a checkpoint…</source>
        <translation>Wird gestoppt: Checkpoint wird gespeichert…</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>Abgeschlossen.</translation>
    </message>
    <message>
        <source>Stopped; a checkpoint was saved.</source>
        <translation>Gestoppt; ein Checkpoint wurde gespeichert.</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>Fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Pause is not available for a data-parallel run: its processes wait on each other in every step. Stop saves a checkpoint; resume it later.</source>
        <translation>Pausieren ist bei einem datenparallelen Lauf nicht möglich: Seine Prozesse warten in jedem Schritt aufeinander. Stoppen speichert einen Checkpoint; setzen Sie den Lauf später fort.</translation>
    </message>
</context>
<context>
    <name>headroom::ui::TrainingControls</name>
    <message>
        <source>Sequences per forward and backward pass</source>
        <translation>Sequenzen pro Forward- und Backward-Pass</translation>
    </message>
    <message>
        <source>Micro-batches whose gradients are summed per optimizer step</source>
        <translation>Micro-Batches, deren Gradienten pro Optimiererschritt summiert werden</translation>
    </message>
    <message>
        <source>Longer samples are truncated</source>
        <translation>Längere Beispiele werden gekürzt</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>Batch</translation>
    </message>
    <message>
        <source>Micro-batch</source>
        <translation>Micro-Batch</translation>
    </message>
    <message>
        <source>Gradient accumulation</source>
        <translation>Gradientenakkumulation</translation>
    </message>
    <message>
        <source>Effective batch</source>
        <translation>Effektiver Batch</translation>
    </message>
    <message>
        <source>Max sequence length</source>
        <translation>Max. Sequenzlänge</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>Kosinus</translation>
    </message>
    <message>
        <source>linear</source>
        <translation>linear</translation>
    </message>
    <message>
        <source>constant</source>
        <translation>konstant</translation>
    </message>
    <message>
        <source> steps</source>
        <translation> Schritte</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Epochen</translation>
    </message>
    <message>
        <source>Optimizer steps</source>
        <translation>Optimiererschritte</translation>
    </message>
    <message>
        <source>Learning rate and length</source>
        <translation>Lernrate und Länge</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Zeitplan</translation>
    </message>
    <message>
        <source>Warm-up</source>
        <translation>Warm-up</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Länge</translation>
    </message>
    <message>
        <source>%1 sequences, up to %2 tokens per optimizer step</source>
        <translation>%1 Sequenzen, bis zu %2 Tokens pro Optimiererschritt</translation>
    </message>
</context>
<context>
    <name>headroom::ui::TrainingWorker</name>
    <message>
        <source>Model: %1 on %2</source>
        <translation>Modell: %1 auf %2</translation>
    </message>
    <message>
        <source>Trainable parameters: %1 of %2</source>
        <translation>Trainierbare Parameter: %1 von %2</translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation>Daten: %1</translation>
    </message>
    <message>
        <source>Quantized projections: %1 (%2 MiB -&gt; %3 MiB)</source>
        <translation>Quantisierte Projektionen: %1 (%2 MiB -&gt; %3 MiB)</translation>
    </message>
    <message>
        <source>Steps: %1, resuming after step %2</source>
        <translation>Schritte: %1, Fortsetzung nach Schritt %2</translation>
    </message>
    <message>
        <source>Steps: %1</source>
        <translation>Schritte: %1</translation>
    </message>
    <message>
        <source>Out of memory while setting up the run.</source>
        <translation>Speicher erschöpft beim Einrichten des Laufs.</translation>
    </message>
    <message>
        <source>Training failed with an unknown error.</source>
        <translation>Training mit einem unbekannten Fehler fehlgeschlagen.</translation>
    </message>
</context>
</TS>
