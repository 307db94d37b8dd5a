// Loading a Tokenizer from a Hugging Face folder: tokenizer.json plus the
// transformers-side files that change ids or special tokens
// (tokenizer_config.json, special_tokens_map.json, chat_template.jinja).
// Deliberately ignores padding/truncation settings and model_max_length.
#include "tokenizer/Tokenizer.h"

#include <fstream>
#include <sstream>

namespace headroom::tok {

namespace {

using json::Json;

Json readJson(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(file.string() + ": cannot be opened");
    std::stringstream buffer;
    buffer << in.rdbuf();
    Json j = Json::parse(buffer.str(), nullptr, false);
    if (j.is_discarded())
        throw Error(file.string() + ": is not valid JSON");
    if (!j.is_object())
        throw Error(file.string() + ": must hold a JSON object");
    return j;
}

std::optional<std::string> readText(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::vector<AddedToken> parseAddedTokens(const Json &root, const std::string &where)
{
    std::vector<AddedToken> tokens;
    const auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null())
        return tokens;
    if (!it->is_array())
        json::fail(json::field(where, "added_tokens"), " must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
        const std::string itemWhere = where + "added_tokens[" + std::to_string(i) + "]";
        const Json &item = (*it)[i];
        AddedToken t;
        const int64_t id = json::optInt(item, "id", -1, itemWhere);
        if (id < 0 || id > INT32_MAX)
            json::fail(json::field(itemWhere, "id"), " must be a non-negative integer");
        t.id = static_cast<int32_t>(id);
        t.content = json::requireString(item, "content", itemWhere);
        t.special = json::optBool(item, "special", false, itemWhere);
        t.singleWord = json::optBool(item, "single_word", false, itemWhere);
        t.lstrip = json::optBool(item, "lstrip", false, itemWhere);
        t.rstrip = json::optBool(item, "rstrip", false, itemWhere);
        t.normalized = json::optBool(item, "normalized", !t.special, itemWhere);
        tokens.push_back(std::move(t));
    }
    return tokens;
}

// "bos_token": "<s>" or {"content": "<s>", ...}
std::optional<std::string> specialContent(const Json &config, const std::string &key,
                                          const std::string &where)
{
    const auto it = config.find(key);
    if (it == config.end() || it->is_null())
        return std::nullopt;
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_object())
        return json::requireString(*it, "content", json::field(where, key));
    json::fail(json::field(where, key), " must be a string or an object with `content`");
}

// transformers 5 rebuilds the pipeline of a LlamaTokenizer(Fast) around the
// vocabulary and merges of tokenizer.json (only its post-processor and added
// tokens survive): no normalizer, Metaspace without split, byte fallback and
// fused unknowns, the SentencePiece decoder chain.
void applyLlamaClassPipeline(Json &root, const Json &config, const std::string &where)
{
    const bool addPrefixSpace = json::optBool(config, "add_prefix_space", true, where);
    const bool legacy = json::optBool(config, "legacy", false, where);
    const char *scheme = !addPrefixSpace ? "never" : legacy ? "always" : "first";
    root["normalizer"] = nullptr;
    root["pre_tokenizer"] = {{"type", "Metaspace"},
                             {"replacement", "\xE2\x96\x81"},
                             {"prepend_scheme", scheme},
                             {"split", false}};
    Json decoders = Json::array();
    decoders.push_back(
        {{"type", "Replace"}, {"pattern", {{"String", "\xE2\x96\x81"}}}, {"content", " "}});
    decoders.push_back({{"type", "ByteFallback"}});
    decoders.push_back({{"type", "Fuse"}});
    if (addPrefixSpace)
        decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
    root["decoder"] = {{"type", "Sequence"}, {"decoders", decoders}};
    if (root.contains("model") && root["model"].is_object()) {
        root["model"]["fuse_unk"] = true;
        root["model"]["byte_fallback"] = true;
        root["model"]["ignore_merges"] = false;
    }
}

std::shared_ptr<Tokenizer::Parts> loadTokenizerJson(const std::filesystem::path &file,
                                                    const Json *config = nullptr,
                                                    const std::string &configWhere = {})
{
    Json root = readJson(file);
    if (config) {
        const auto cls = json::optString(*config, "tokenizer_class", configWhere);
        if (cls && (*cls == "LlamaTokenizer" || *cls == "LlamaTokenizerFast"))
            applyLlamaClassPipeline(root, *config, configWhere);
    }
    const std::string where = file.string() + ": ";
    auto parts = std::make_shared<Tokenizer::Parts>();

    const Json &model = json::require(root, "model", where);
    const std::string modelWhere = where + "model";
    const std::string type =
        model.contains("type") ? json::requireString(model, "type", modelWhere) : "BPE";
    if (type != "BPE")
        json::fail(json::field(modelWhere, "type"),
                   " `" + type + "` is not supported (supported: BPE)");
    const auto dropout = model.find("dropout");
    if (dropout != model.end() && dropout->is_number() && dropout->get<double>() > 0.0)
        json::fail(json::field(modelWhere, "dropout"),
                   " is set; BPE dropout is a training-time option and is not supported");

    const auto component = [&](const char *key) -> const Json & {
        static const Json null;
        const auto it = root.find(key);
        return it == root.end() ? null : *it;
    };
    parts->normalizer = Normalizer::fromJson(component("normalizer"), where + "normalizer");
    parts->preTokenizer =
        PreTokenizer::fromJson(component("pre_tokenizer"), where + "pre_tokenizer");
    parts->model = BpeModel::fromJson(model, modelWhere);
    parts->postProcessor =
        PostProcessor::fromJson(component("post_processor"), where + "post_processor");
    parts->decoder = Decoder::fromJson(component("decoder"), where + "decoder");
    parts->added = AddedVocabulary(parseAddedTokens(root, where), &parts->normalizer);
    if (const auto &unk = parts->model->options().unkToken)
        parts->unkId = parts->model->tokenToId(*unk);
    return parts;
}

} // namespace

Tokenizer Tokenizer::fromTokenizerJson(const std::filesystem::path &file)
{
    return Tokenizer(loadTokenizerJson(file));
}

Tokenizer Tokenizer::fromFolder(const std::filesystem::path &folder)
{
    const auto tokenizerJson = folder / "tokenizer.json";
    if (!std::filesystem::exists(tokenizerJson))
        throw Error(tokenizerJson.string() +
                    ": not found (only fast tokenizers with a tokenizer.json are supported)");
    Json config = Json::object(), specialMap = Json::object();
    const auto configFile = folder / "tokenizer_config.json";
    const auto mapFile = folder / "special_tokens_map.json";
    if (std::filesystem::exists(configFile))
        config = readJson(configFile);
    if (std::filesystem::exists(mapFile))
        specialMap = readJson(mapFile);
    const std::string configWhere = configFile.string() + ": ";

    std::shared_ptr<Parts> parts = loadTokenizerJson(tokenizerJson, &config, configWhere);
    const Tokenizer lookup(parts); // for content → id while we finish the parts

    const auto resolve = [&](const std::string &key) -> std::optional<int32_t> {
        std::optional<std::string> content = specialContent(config, key, configWhere);
        if (!content)
            content = specialContent(specialMap, key, mapFile.string() + ": ");
        if (!content)
            return std::nullopt;
        const auto id = lookup.tokenToId(*content);
        if (!id)
            throw Error(configFile.string() + ": " + key + " `" + *content +
                        "` is not in the vocabulary");
        return id;
    };
    if (auto id = resolve("bos_token"))
        parts->bosId = id;
    if (auto id = resolve("eos_token"))
        parts->eosId = id;
    if (auto id = resolve("pad_token"))
        parts->padId = id;
    if (auto id = resolve("unk_token"))
        parts->unkId = id;

    // add_bos_token / add_eos_token: transformers 5 drops both from the
    // config whenever a tokenizer.json exists (tokenization_utils_base.py,
    // _from_pretrained), so the tokenizer.json post-processor stands. Only
    // when it has none does transformers build `$A` (no BOS/EOS).

    if (const auto it = config.find("chat_template"); it != config.end() && !it->is_null()) {
        if (it->is_string()) {
            parts->chatTemplates.push_back({"default", it->get<std::string>()});
        } else if (it->is_array()) {
            for (size_t i = 0; i < it->size(); ++i) {
                const std::string itemWhere =
                    configWhere + "chat_template[" + std::to_string(i) + "]";
                parts->chatTemplates.push_back(
                    {json::requireString((*it)[i], "name", itemWhere),
                     json::requireString((*it)[i], "template", itemWhere)});
            }
        } else {
            json::fail(configWhere + "chat_template",
                       " must be a string or a list of {name, template}");
        }
    }
    // A chat_template.jinja file wins over the config (newer transformers
    // save the template there).
    if (const auto jinja = readText(folder / "chat_template.jinja")) {
        std::erase_if(parts->chatTemplates,
                      [](const NamedTemplate &t) { return t.name == "default"; });
        parts->chatTemplates.insert(parts->chatTemplates.begin(), {"default", *jinja});
    }
    return Tokenizer(parts);
}

} // namespace headroom::tok
