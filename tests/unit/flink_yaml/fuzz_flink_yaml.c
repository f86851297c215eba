/* libFuzzer target of the Flink CDC YAML reader and writer: the input is read as a pipeline YAML
 * and, when that succeeds, the job is written back; the input is also handed to the writer as
 * job JSON. Neither may crash, leak or read out of bounds, whatever the bytes. The corpus
 * (corpus/) replays under ctest with every build's sanitizers (fuzz_flink_yaml_replay). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/codegen/flink_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = NULL, *yaml = NULL;
    if (gen_flink_yaml_parse((const char *)data, size, &json, NULL) == 0) {
        if (gen_flink_yaml_format(json, &yaml, NULL) == 0)
            free(yaml);
        free(json);
    }
    /* the writer takes NUL-terminated text */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    yaml = NULL;
    if (gen_flink_yaml_format(text, &yaml, NULL) == 0)
        free(yaml);
    free(text);
    return 0;
}
