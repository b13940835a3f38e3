"""The findings' tree: Textual's Tree, with each label's width counted, not drawn."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Tree
from textual.widgets.tree import TreeNode


class FindingTree(Tree[str]):
    """Tree rebuilds its lines on every change of style (the screen shown again, the focus
    moving) and measures each by drawing its label: on a ×10 week's 1,900 findings that was most
    of showing the findings screen again (bench/). A label here is a Text, so its width is the
    toggle icon's and the text's."""

    def get_label_width(self, node: TreeNode[str]) -> int:
        label = str(node.label)  # a Text's plain text: the width of what is drawn
        if not node.allow_expand:
            return cell_len(label)
        icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
        return cell_len(icon) + cell_len(label)
